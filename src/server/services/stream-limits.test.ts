import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../../lib/index.js';
import { createClient, type ServiceClient } from '../../../rpc/index.js';
import { BrokerService } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { batchOf, startServices, stopServices } from './testing/start-services.js';

type Broker = ServiceClient<typeof BrokerService>;
const clients: Broker[] = [];

afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  stopServices();
});

/** A client on its own HTTP/2 connection (grpc-js would otherwise share one between clients). */
function connection(address: string): Broker {
  const client = createClient(BrokerService, address, {
    channelOptions: { 'grpc.use_local_subchannel_pool': 1 },
  });
  clients.push(client);
  return client;
}

/** Opens a FetchStream on t/0 and waits for its first push; `close` cancels it. */
async function openFetchStream(broker: Broker): Promise<{ close: () => void }> {
  const stop = new AbortController();
  const responses = broker.fetchStream(
    { partitions: [{ topic: 't', partition: 0 }] },
    { signal: stop.signal },
  );
  const iterator = responses[Symbol.asyncIterator]();
  await iterator.next();
  return { close: () => stop.abort() };
}

async function refusal(open: Promise<unknown>): Promise<RaftlogError> {
  const started = Date.now();
  const error = await open.then(
    () => new Error('the stream was admitted'),
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(error).toBeInstanceOf(RaftlogError);
  return error as RaftlogError;
}

describe('the caps on open client streams', () => {
  it('refuse one stream too many per connection and per node with RESOURCE_EXHAUSTED; others keep being served', async () => {
    const { address, broker } = await startServices({
      clientStreamsMax: 4,
      clientStreamsPerConnectionMax: 2,
    });
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a') });
    const first = connection(address);
    const open = [await openFetchStream(first), await openFetchStream(first)];

    const perConnection = await refusal(openFetchStream(first));
    expect(perConnection.code).toBe('RESOURCE_EXHAUSTED');
    expect(perConnection.message).toMatch(/clientStreamsPerConnectionMax 2/);
    expect((perConnection.cause as { code: number }).code).toBe(status.RESOURCE_EXHAUSTED);

    const second = connection(address);
    open.push(await openFetchStream(second));
    const producing = second.produceStream();
    await producing.send({ correlationId: 1n, produce: { topic: 't', partition: 0, batch: batchOf('b') } });
    const produced = await producing.responses[Symbol.asyncIterator]().next();
    expect(produced.value).toMatchObject({ correlationId: 1n, result: { baseOffset: 1n } });

    const perNode = await refusal(openFetchStream(connection(address)));
    expect(perNode.code).toBe('RESOURCE_EXHAUSTED');
    expect(perNode.message).toMatch(/clientStreamsMax 4/);
    const refusedProduce = connection(address).produceStream();
    await refusedProduce
      .send({ correlationId: 1n, produce: { topic: 't', partition: 0, batch: batchOf('c') } })
      .catch(() => undefined);
    const produceRefusal = await refusal(refusedProduce.responses[Symbol.asyncIterator]().next());
    expect(produceRefusal.code).toBe('RESOURCE_EXHAUSTED');

    // Unary calls and the open streams are unaffected.
    const fetched = await first.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] });
    expect(fetched.partitions[0]?.nextOffset).toBe(2n);

    // A closed stream frees its slot.
    open[0]!.close();
    producing.end();
    for (let i = 0; ; i++) {
      const again = await openFetchStream(first).catch((e: unknown) => e);
      if (!(again instanceof Error)) break;
      if (i > 50) throw again;
      await new Promise((r) => setTimeout(r, 20));
    }
  });
});
