import { createConnection } from 'node:net';
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

async function serve(bounds: ConnectionBounds): Promise<{ address: string; listener: BoundedListener }> {
  const api = new MemoryNodeApi();
  api.addTopic('t', 1);
  const server = createServer();
  registerClientServices(server, api, { logger: silentLogger() });
  const listener = await listenBounded(server, '127.0.0.1:0', bounds);
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

describe('a node listener with a connection cap', () => {
  it('closes one connection over the cap at once and keeps serving the others', async () => {
    const { address } = await serve({ connectionsMax: 2 });
    const [a, b] = [connection(address), connection(address)];
    await a.metadata({});
    await b.metadata({});

    const started = Date.now();
    const refused = await connection(address)
      .metadata({}, { timeoutMs: 5_000 })
      .then(
        () => new Error('a third connection was served'),
        (e: unknown) => e,
      );
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(refused).toBeInstanceOf(RaftlogError);
    expect((refused as RaftlogError).code).toBe('UNAVAILABLE');

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
