import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Prng } from '../../../lib/index.js';
import { Connection } from './connection.js';
import type { Stream, Toxic } from './toxic.js';

const opened: Socket[] = [];

afterEach(() => {
  for (const socket of opened.splice(0)) socket.destroy();
});

/** Two connected sockets: the dialing one, and the accepted one as a proxy gets it (paused, half-open). */
async function socketPair(): Promise<{ outer: Socket; inner: Socket }> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const outer = connect({
    port: (server.address() as AddressInfo).port,
    host: '127.0.0.1',
    allowHalfOpen: true,
  });
  const [[inner]] = await Promise.all([accepted, once(outer, 'connect')]);
  server.close();
  for (const socket of [outer, inner]) {
    socket.on('error', () => undefined);
    opened.push(socket);
  }
  return { outer, inner };
}

interface Link {
  readonly client: Socket;
  readonly server: Socket;
  readonly connection: Connection;
  /** Resolves the first time the given stream pauses its source. */
  readonly paused: (stream: Stream) => Promise<void>;
}

/** A client and a server joined by a Connection, as a proxy joins them. */
async function link(toxics: Toxic[], bytesMax: number): Promise<Link> {
  const clientSide = await socketPair();
  const serverSide = await socketPair();
  serverSide.outer.pause();
  const waiters = new Map<Stream, () => void>();
  const connection = new Connection(clientSide.inner, serverSide.outer, toxics, {
    prng: new Prng(1),
    bytesMax,
    onClosed: () => undefined,
    onPressure: (stream, paused) => {
      if (paused) waiters.get(stream)?.();
    },
  });
  const paused = (stream: Stream): Promise<void> => new Promise((resolve) => waiters.set(stream, resolve));
  return { client: clientSide.outer, server: serverSide.inner, connection, paused };
}

function toxic(name: string, type: Toxic['type'], attributes: Record<string, number>): Toxic {
  return { name, type, stream: 'upstream', toxicity: 1, attributes };
}

/** Counts what a (half-open) socket receives and ends it when the other side ends. */
function countBytes(socket: Socket): { total(): number; closed: Promise<number> } {
  let total = 0;
  socket.on('data', (chunk: Buffer) => (total += chunk.length));
  socket.on('end', () => socket.end());
  socket.resume();
  return { total: () => total, closed: new Promise((resolve) => socket.once('close', () => resolve(total))) };
}

const bytesMax = 256 * 1024;
/** One socket read brings at most 64 KiB (and its queue entry), so a pipeline overshoots by that much. */
const readBytesMax = 64 * 1024 + 64;
const payload = Buffer.alloc(16 * 1024 * 1024, 7);

describe('Connection', () => {
  it('stops reading its source while a toxic holds more than its bound, and loses nothing', async () => {
    const { client, server, connection, paused } = await link(
      [toxic('slow', 'latency', { latency: 60_000 })],
      bytesMax,
    );
    const pausedNow = paused('upstream');
    client.write(payload);
    await pausedNow;
    expect(connection.heldBytes('upstream')).toBeGreaterThan(bytesMax);
    expect(connection.heldBytes('upstream')).toBeLessThanOrEqual(bytesMax + readBytesMax);
    expect(client.writableLength).toBeGreaterThan(0);

    const received = countBytes(server);
    connection.removeToxic(toxic('slow', 'latency', {}));
    client.end();
    expect(await received.closed).toBe(payload.length);
  });

  it('a timeout toxic drops what it reads instead of holding it', async () => {
    const { client, server, connection } = await link([toxic('cut', 'timeout', { timeout: 0 })], bytesMax);
    const received = countBytes(server);
    await new Promise<void>((resolve, reject) =>
      client.write(payload, (error) => (error ? reject(error) : resolve())),
    );
    expect(connection.heldBytes('upstream')).toBe(0);
    connection.removeToxic(toxic('cut', 'timeout', {}));
    expect(await received.closed).toBe(0);
  });

  it('a slow reader on the other side pauses the source too', async () => {
    const { client, connection, paused } = await link([], bytesMax);
    const pausedNow = paused('upstream');
    client.write(payload);
    await pausedNow;
    expect(connection.heldBytes('upstream')).toBeLessThanOrEqual(bytesMax + readBytesMax);
  });
});
