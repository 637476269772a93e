import { connect as connectHttp2 } from 'node:http2';
import { createConnection, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { createClient, createServer, type ServiceClient } from '../../rpc/index.js';
import { BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { silentLogger } from '../obs/index.js';
import { listenBounded, type BoundedListener, type ConnectionBounds } from './bounded-listen.js';
import { registerClientServices } from './services/index.js';
import { MemoryNodeApi } from './services/testing/memory-node-api.js';

type Broker = ServiceClient<typeof BrokerService>;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(
  bounds: ConnectionBounds,
  listen = '127.0.0.1:0',
): Promise<{ address: string; listener: BoundedListener }> {
  const api = new MemoryNodeApi();
  api.addTopic('t', 1);
  const server = createServer();
  registerClientServices(server, api, { logger: silentLogger() });
  const listener = await listenBounded(server, listen, bounds);
  cleanups.push(
    () => server.forceShutdown(),
    () => listener.close(),
  );
  return { address: `127.0.0.1:${listener.port}`, listener };
}

/** A client on its own HTTP/2 connection. */
function connection(address: string): Broker {
  const client = createClient(BrokerService, address, {
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });
  cleanups.push(() => client.close());
  return client;
}

/** A call on a new connection fails UNAVAILABLE at once: its connection was closed when it opened. */
async function expectRefusedAtOnce(address: string): Promise<void> {
  const started = Date.now();
  const refused = await connection(address)
    .metadata({}, { timeoutMs: 5_000 })
    .then(
      () => new Error('a connection over the limit was served'),
      (e: unknown) => e,
    );
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(refused).toBeInstanceOf(RaftlogError);
  expect((refused as RaftlogError).code).toBe('UNAVAILABLE');
}

describe('a node listener with a connection cap', () => {
  it('closes one connection over the cap at once and keeps serving the others', async () => {
    const { address } = await serve({ connectionsMax: 2 });
    const [a, b] = [connection(address), connection(address)];
    await a.metadata({});
    await b.metadata({});

    await expectRefusedAtOnce(address);

    expect((await a.metadata({})).topics.map((t) => t.name)).toEqual(['t']);
    b.close();
    for (let i = 0; ; i++) {
      const answer = await connection(address)
        .metadata({})
        .catch((e: unknown) => e);
      if (!(answer instanceof Error)) break;
      if (i > 50) throw answer;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  it('closes a connection that stays silent, freeing its place; one that spoke stays open', async () => {
    const { address, listener } = await serve({ connectionsMax: 2, silentMsMax: 300 });
    const talker = connection(address);
    await talker.metadata({});
    const silent = createConnection(listener.port, '127.0.0.1');
    cleanups.push(() => silent.destroy());
    // Read (and drop) the server's SETTINGS, or the socket stays paused and never reports its end.
    silent.resume();
    const closedAfterMs = await new Promise<number>((resolve) => {
      const opened = Date.now();
      silent.once('close', () => resolve(Date.now() - opened));
    });
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(closedAfterMs).toBeLessThan(3_000);
    // The place it held takes a new connection; the one that spoke was never closed.
    await connection(address).metadata({}, { timeoutMs: 5_000 });
    await new Promise((r) => setTimeout(r, 400));
    expect((await talker.metadata({})).topics.map((t) => t.name)).toEqual(['t']);
  });
});

/**
 * A Metadata call from `localAddress` over HTTP/2, as gRPC frames it (grpc-js cannot choose the
 * address it connects from); its grpc-status, or undefined when the connection closed first.
 */
async function metadataFrom(port: number, localAddress: string): Promise<string | undefined> {
  const session = connectHttp2(`http://127.0.0.1:${port}`, {
    createConnection: () => createConnection({ port, host: '127.0.0.1', localAddress }),
  });
  session.on('error', () => undefined);
  cleanups.push(() => session.destroy());
  const call = session.request({
    ':method': 'POST',
    ':path': '/raftlog.v1.BrokerService/Metadata',
    'content-type': 'application/grpc',
    te: 'trailers',
  });
  // An empty message: not compressed, 0 bytes long.
  call.end(Buffer.alloc(5));
  call.resume();
  let status: string | undefined;
  const take = (headers: Record<string, unknown>): void => {
    const value = headers['grpc-status'];
    if (typeof value === 'string') status = value;
  };
  call.on('response', take).on('trailers', take);
  call.on('error', () => undefined);
  await new Promise((resolve) => call.once('close', resolve));
  return status;
}

/** A raw TCP connection from `localAddress`; resolves once the server spoke (it was admitted). */
async function admittedSocket(port: number, host: string, localAddress: string): Promise<Socket> {
  const socket = createConnection({ port, host, localAddress });
  cleanups.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => resolve());
    socket.once('close', () => reject(new Error(`a connection from ${localAddress} was closed`)));
  });
  return socket;
}

/** Resolves once the socket is closed by the server without a byte from it (it was refused). */
async function refusedSocket(port: number, host: string, localAddress: string): Promise<void> {
  const socket = createConnection({ port, host, localAddress });
  cleanups.push(() => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    socket.once('data', () => reject(new Error(`a connection from ${localAddress} was served`)));
    socket.once('close', () => resolve());
    socket.on('error', () => undefined);
  });
}

async function eventually(check: () => void): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      check();
      return;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('a node listener with a share per remote address', () => {
  it('closes a connection over its address share at once; admitted ones and other addresses are served', async () => {
    const { address, listener } = await serve({ connectionsMax: 8, connectionsPerAddressMax: 2 });
    const [a, b] = [connection(address), connection(address)];
    await a.metadata({});
    await b.metadata({});

    await expectRefusedAtOnce(address);

    expect((await a.metadata({})).topics.map((t) => t.name)).toEqual(['t']);
    expect(await metadataFrom(listener.port, '127.0.0.2')).toBe('0');
    expect(await metadataFrom(listener.port, '127.0.0.1')).toBeUndefined();
    expect((await b.metadata({})).topics.map((t) => t.name)).toEqual(['t']);
  });

  it('frees a place when a connection closes and keeps no entry for an address with none open', async () => {
    const { listener } = await serve({ connectionsMax: 8, connectionsPerAddressMax: 2 });
    const { port } = listener;
    const first = await admittedSocket(port, '127.0.0.1', '127.0.0.1');
    await admittedSocket(port, '127.0.0.1', '127.0.0.1');
    const other = await admittedSocket(port, '127.0.0.1', '127.0.0.2');
    await refusedSocket(port, '127.0.0.1', '127.0.0.1');
    expect(listener.connectionsByAddress()).toEqual(
      new Map([
        ['127.0.0.1', 2],
        ['127.0.0.2', 1],
      ]),
    );

    first.destroy();
    await eventually(() => expect(listener.connectionsByAddress().get('127.0.0.1')).toBe(1));
    await admittedSocket(port, '127.0.0.1', '127.0.0.1');
    other.destroy();
    await eventually(() => expect([...listener.connectionsByAddress().keys()]).toEqual(['127.0.0.1']));
    await listener.close();
    await eventually(() => expect(listener.connectionsByAddress().size).toBe(0));
  });

  it('counts an IPv4 client of a dual-stack listener under its IPv4 address', async () => {
    const { listener } = await serve({ connectionsMax: 8, connectionsPerAddressMax: 1 }, '[::]:0');
    const { port } = listener;
    await admittedSocket(port, '127.0.0.1', '127.0.0.1');
    await refusedSocket(port, '127.0.0.1', '127.0.0.1');
    await admittedSocket(port, '::1', '::1');
    expect(listener.connectionsByAddress()).toEqual(
      new Map([
        ['127.0.0.1', 1],
        ['::1', 1],
      ]),
    );
  });

  it('counts nothing when connections per address are not limited', async () => {
    const { listener } = await serve({ connectionsMax: 8 });
    for (let i = 0; i < 3; i++) await admittedSocket(listener.port, '127.0.0.1', '127.0.0.1');
    expect(listener.connectionsByAddress().size).toBe(0);
  });
});
