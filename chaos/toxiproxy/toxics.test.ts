import type { Socket } from 'node:net';
import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startToxiproxyServer, type ToxiproxyServer } from './index.js';
import { closePeers, collect, connectTo, startEcho, startSink, writeAll, type Peer } from './test-peers.js';

let server: ToxiproxyServer;
let toxiproxy: Toxiproxy;
let echo: Peer;
let proxies = 0;

beforeEach(async () => {
  server = await startToxiproxyServer();
  toxiproxy = new Toxiproxy(server.url);
  echo = await startEcho();
});

afterEach(async () => {
  await server.close();
  await closePeers();
});

function proxyTo(peer: Peer): Promise<Proxy> {
  return toxiproxy.createProxy({ name: `p${proxies++}`, listen: '127.0.0.1:0', upstream: peer.address });
}

type Attributes = Record<string, number>;

async function addToxic(
  proxy: Proxy,
  type: string,
  stream: 'upstream' | 'downstream',
  attributes: Attributes,
  toxicity = 1,
): Promise<void> {
  const name = `${type}_${stream}`;
  await proxy.addToxic({ name, type: type as 'latency', stream, toxicity, attributes });
}

/** Milliseconds from writing `text` to reading all of it back through an echo. */
async function roundTripMs(socket: Socket, text: string): Promise<number> {
  const received = collect(socket);
  const startMs = performance.now();
  await writeAll(socket, text);
  const bytes = await received.atLeast(text.length);
  expect(bytes.toString()).toBe(text);
  socket.removeAllListeners('data');
  return performance.now() - startMs;
}

describe('latency, bandwidth, slicer, slow_close', () => {
  it('latency delays each direction by at least its latency', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'latency', 'upstream', { latency: 150, jitter: 0 });
    await addToxic(proxy, 'latency', 'downstream', { latency: 150, jitter: 0 });
    expect(await roundTripMs(await connectTo(proxy.listen), 'hello')).toBeGreaterThanOrEqual(300);
  });

  it('jitter varies the delay but never reorders bytes', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'latency', 'downstream', { latency: 20, jitter: 19 });
    const socket = await connectTo(proxy.listen);
    const received = collect(socket);
    const sent = Array.from({ length: 50 }, (_, i) => `${i};`);
    for (const piece of sent) {
      await writeAll(socket, piece);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const text = sent.join('');
    expect((await received.atLeast(text.length)).toString()).toBe(text);
  });

  it('bandwidth limits the rate in KB/s', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'bandwidth', 'downstream', { rate: 100 });
    // 50 000 bytes at 100 KB/s take 500 ms.
    expect(await roundTripMs(await connectTo(proxy.listen), 'x'.repeat(50_000))).toBeGreaterThanOrEqual(450);
  });

  it('slicer cuts data into delayed slices and keeps every byte', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'slicer', 'downstream', { average_size: 10, size_variation: 3, delay: 2000 });
    const text = Array.from({ length: 40 }, (_, i) => `${i}`.padStart(5, '-')).join('');
    // At most 13 bytes per slice, each followed by 2 ms: 200 bytes take at least 15 pauses (30 ms,
    // less the rounding of the timers' millisecond clock).
    expect(await roundTripMs(await connectTo(proxy.listen), text)).toBeGreaterThanOrEqual(25);
  });

  it('slow_close holds the close for its delay', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    await addToxic(proxy, 'slow_close', 'downstream', { delay: 300 });
    const socket = await connectTo(proxy.listen);
    const ended = new Promise<number>((resolve) => socket.once('end', () => resolve(performance.now())));
    const upstream = await sink.nextAccepted();
    const endedAtMs = performance.now();
    upstream.end();
    // Timers run on a millisecond clock that may lag this one by a fraction of a millisecond.
    expect((await ended) - endedAtMs).toBeGreaterThanOrEqual(299);
  });
});

describe('timeout, reset_peer, limit_data', () => {
  it('timeout drops every byte and closes after its timeout', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    await addToxic(proxy, 'timeout', 'upstream', { timeout: 300 });
    const startMs = performance.now();
    const socket = await connectTo(proxy.listen);
    const clientSide = collect(socket);
    const serverSide = collect(await sink.nextAccepted());
    await writeAll(socket, 'never delivered');
    const { bytes, error } = await serverSide.closed;
    expect(bytes.length).toBe(0);
    expect(error).toBeUndefined();
    await clientSide.closed;
    expect(performance.now() - startMs).toBeGreaterThanOrEqual(299);
  });

  it('timeout 0 blackholes both ways without closing; removing it closes the connection', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    await addToxic(proxy, 'timeout', 'upstream', { timeout: 0 });
    await addToxic(proxy, 'timeout', 'downstream', { timeout: 0 });
    const socket = await connectTo(proxy.listen);
    const clientSide = collect(socket);
    const upstream = await sink.nextAccepted();
    const serverSide = collect(upstream);
    await writeAll(socket, Buffer.alloc(256 * 1024, 1));
    await writeAll(upstream, Buffer.alloc(256 * 1024, 2));
    expect(socket.readableEnded || socket.destroyed).toBe(false);
    await (await proxy.getToxic('timeout_upstream')).remove();
    expect((await serverSide.closed).bytes.length).toBe(0);
    expect((await clientSide.closed).bytes.length).toBe(0);
  });

  it('reset_peer resets the connection: both peers see ECONNRESET', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    await addToxic(proxy, 'reset_peer', 'upstream', { timeout: 100 });
    const socket = await connectTo(proxy.listen);
    const clientSide = collect(socket);
    const serverSide = collect(await sink.nextAccepted());
    await writeAll(socket, 'trigger');
    expect((await clientSide.closed).error?.code).toBe('ECONNRESET');
    expect(await serverSide.closed).toMatchObject({ bytes: Buffer.alloc(0), error: { code: 'ECONNRESET' } });
  });

  it('reset_peer on the downstream fires on the first response', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'reset_peer', 'downstream', { timeout: 0 });
    const socket = await connectTo(proxy.listen);
    const clientSide = collect(socket);
    await writeAll(socket, 'echo me');
    expect(await clientSide.closed).toMatchObject({ bytes: Buffer.alloc(0), error: { code: 'ECONNRESET' } });
  });

  it('limit_data passes that many bytes, then closes the connection', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'limit_data', 'downstream', { bytes: 10 });
    const socket = await connectTo(proxy.listen);
    const clientSide = collect(socket);
    await writeAll(socket, '0123456789abcdefghij');
    const { bytes, error } = await clientSide.closed;
    expect(bytes.toString()).toBe('0123456789');
    expect(error).toBeUndefined();
  });

  it('limit_data counts bytes over the whole connection, also across an update', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    await addToxic(proxy, 'limit_data', 'upstream', { bytes: 10 });
    const socket = await connectTo(proxy.listen);
    const serverSide = collect(await sink.nextAccepted());
    await writeAll(socket, 'abcdef');
    await serverSide.atLeast(6);
    const toxic = await proxy.getToxic<{ bytes: number }>('limit_data_upstream');
    await toxic.update({ ...toxic.toJson(), attributes: { bytes: 12 } });
    await writeAll(socket, 'ghijkl');
    expect((await serverSide.closed).bytes.toString()).toBe('abcdefghijkl');
  });
});

describe('toxicity and live changes', () => {
  it('a toxic with toxicity 0 never acts', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'timeout', 'downstream', { timeout: 0 }, 0);
    expect(await roundTripMs(await connectTo(proxy.listen), 'through')).toBeGreaterThanOrEqual(0);
  });

  it('draws toxicity per connection from the seed: the same seed, the same connections hit', async () => {
    const pattern = async (seed: number): Promise<boolean[]> => {
      const own = await startToxiproxyServer({ seed });
      const client = new Toxiproxy(own.url);
      const proxy = await client.createProxy({ name: 'p', listen: '127.0.0.1:0', upstream: echo.address });
      await proxy.addToxic({
        name: 'cut',
        type: 'limit_data',
        stream: 'downstream',
        toxicity: 0.5,
        attributes: { bytes: 0 },
      });
      const hit: boolean[] = [];
      for (let i = 0; i < 16; i++) {
        const socket = await connectTo(proxy.listen);
        const received = collect(socket);
        socket.end('x');
        hit.push((await received.closed).bytes.length === 0);
      }
      await own.close();
      return hit;
    };
    const first = await pattern(42);
    expect(first).toContain(true);
    expect(first).toContain(false);
    expect(await pattern(42)).toEqual(first);
  });

  it('a toxic added or removed applies to a connection already open', async () => {
    const proxy = await proxyTo(echo);
    const socket = await connectTo(proxy.listen);
    await roundTripMs(socket, 'before');
    await addToxic(proxy, 'latency', 'downstream', { latency: 300, jitter: 0 });
    expect(await roundTripMs(socket, 'during')).toBeGreaterThanOrEqual(300);
    await (await proxy.getToxic('latency_downstream')).remove();
    await roundTripMs(socket, 'after');
  });

  it('removing a latency toxic delivers what it held at once, in order', async () => {
    const proxy = await proxyTo(echo);
    await addToxic(proxy, 'latency', 'downstream', { latency: 60_000, jitter: 0 });
    const socket = await connectTo(proxy.listen);
    const received = collect(socket);
    await writeAll(socket, 'first,');
    await writeAll(socket, 'second');
    const upstream = collect(await echo.nextAccepted());
    await upstream.atLeast(12);
    await (await proxy.getToxic('latency_downstream')).remove();
    expect((await received.atLeast(12)).toString()).toBe('first,second');
  });
});

describe('enable, disable and failures', () => {
  it('disabling closes open connections and refuses new ones; enabling serves again on the same port', async () => {
    const proxy = await proxyTo(echo);
    const socket = await connectTo(proxy.listen);
    const open = collect(socket);
    await roundTripMs(socket, 'hi');
    const disabled = await proxy.update({ enabled: false, listen: proxy.listen, upstream: proxy.upstream });
    await open.closed;
    await expect(connectTo(proxy.listen)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const enabled = await disabled.update({
      enabled: true,
      listen: disabled.listen,
      upstream: disabled.upstream,
    });
    expect(enabled.listen).toBe(proxy.listen);
    await roundTripMs(await connectTo(proxy.listen), 'again');
  });

  it('closes the client when the upstream refuses, and keeps serving', async () => {
    const sink = await startSink();
    const proxy = await toxiproxy.createProxy({
      name: 'gone',
      listen: '127.0.0.1:0',
      upstream: '127.0.0.1:1',
    });
    await collect(await connectTo(proxy.listen)).closed;
    await proxy.update({ enabled: true, listen: proxy.listen, upstream: sink.address });
    await writeAll(await connectTo(proxy.listen), 'served');
    expect((await collect(await sink.nextAccepted()).atLeast(6)).toString()).toBe('served');
  });

  it('survives peers that reset mid-stream', async () => {
    const sink = await startSink();
    const proxy = await proxyTo(sink);
    for (let i = 0; i < 5; i++) {
      const socket = await connectTo(proxy.listen);
      const upstream = await sink.nextAccepted();
      const clientSide = collect(socket);
      socket.write(Buffer.alloc(512 * 1024));
      upstream.write(Buffer.alloc(512 * 1024));
      if (i % 2 === 0) socket.resetAndDestroy();
      else upstream.resetAndDestroy();
      await clientSide.closed;
    }
    const proxyToEcho = await proxyTo(echo);
    await roundTripMs(await connectTo(proxyToEcho.listen), 'still serving');
  });
});
