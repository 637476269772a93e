import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../lib/index.js';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { startCluster } from './harness/index.js';

const utf8 = new TextEncoder();

describe('idempotent producer state on real nodes, 3 nodes', () => {
  it("still answers the first of 1,001 producers' retry as a duplicate, stored once", async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('many', 1, 3);
    const leader = await cluster.waitForLeader('many', 0);
    const broker = cluster.broker(leader.address);
    // Producer ids need no InitProducer for the partition: it keys its state by whatever id it gets.
    const produce = (producerId: number, value: string) =>
      broker.produce({
        topic: 'many',
        partition: 0,
        acks: Acks.QUORUM,
        batch: encodeRecordBatch({
          timestamp: Date.now(),
          producerId,
          producerEpoch: 0,
          baseSequence: 0,
          records: [{ value: utf8.encode(value) }],
        }),
      });
    const first = await produce(1, 'p1');
    for (let from = 2; from <= 1_001; from += 50) {
      const ids = Array.from({ length: 50 }, (_, i) => from + i).filter((id) => id <= 1_001);
      await Promise.all(ids.map((id) => produce(id, `p${id}`)));
    }
    // The first producer's answer was lost; it retries the same batch.
    const retry = await produce(1, 'p1');
    expect(retry.duplicate).toBe(true);
    expect(retry.baseOffset).toBe(first.baseOffset);
    const read = await cluster.readPartition('many', 0);
    expect(read.filter((r) => r.value === 'p1')).toHaveLength(1);
    expect(read).toHaveLength(1_001);
  }, 120_000);

  it('forgets an idle producer, and the client carries on under a fresh id without a duplicate', async () => {
    const cluster = await startCluster({ nodes: 3, env: { RAFTLOG_PRODUCER_IDLE_MS_MAX: '1500' } });
    await cluster.createTopic('idle', 1, 3);
    const client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    const producer = new Producer(client, { lingerMs: 0 });
    try {
      await producer.send({ topic: 'idle', partition: 0, value: 'a' });
      await producer.send({ topic: 'idle', partition: 0, value: 'b' });
      await new Promise((r) => setTimeout(r, 2_500));
      // Its next batch has sequence 2, which the partition no longer knows: UNKNOWN_PRODUCER_ID,
      // answered before anything was stored, so the client resends it under a new id.
      await expect(producer.send({ topic: 'idle', partition: 0, value: 'c' })).resolves.toEqual({
        partition: 0,
        offset: 2,
      });
      await producer.send({ topic: 'idle', partition: 0, value: 'd' });
      const read = await cluster.readPartition('idle', 0);
      expect(read.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
    } finally {
      await producer.close();
      client.close();
    }
  }, 90_000);
});
