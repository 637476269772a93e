import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient, type RecordAck } from '../../src/client/index.js';
import { encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { startCluster } from './harness/index.js';

const topic = 'exactly-once';
const records = 3_000;

describe('idempotent producer through a leader failover, 3 nodes', () => {
  it('answers a resent batch with its original offsets and stores it once', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('dedup', 1, 3);
    const leader = await cluster.waitForLeader('dedup', 0);
    const { producerId, producerEpoch } = await cluster.broker(leader.address).initProducer({});
    const batch = (baseSequence: number, value: string) =>
      encodeRecordBatch({
        timestamp: Date.now(),
        producerId: Number(producerId),
        producerEpoch,
        baseSequence,
        records: [{ key: null, value: new TextEncoder().encode(value) }],
      });
    // A retriable error (a leader change on a loaded machine) is retried with the same bytes, as a
    // client would: the dedup answers below must hold through that too.
    let address = leader.address;
    const produce = async (bytes: Uint8Array) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await cluster
            .broker(address)
            .produce({ topic: 'dedup', partition: 0, batch: bytes, acks: Acks.QUORUM });
        } catch (error) {
          if (!(error instanceof RaftlogError) || !error.retriable || attempt >= 20) throw error;
          address = (await cluster.waitForLeader('dedup', 0)).address;
        }
      }
    };
    const first = await produce(batch(0, 'a'));
    await produce(batch(1, 'b'));
    const again = await produce(batch(0, 'a'));
    expect(again.duplicate).toBe(true);
    expect(again.baseOffset).toBe(first.baseOffset);
    await expect(produce(batch(5, 'gap'))).rejects.toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE' });
    const read = await cluster.readPartition('dedup', 0);
    expect(read.map((r) => r.value)).toEqual(['a', 'b']);
  }, 60_000);

  it('retries batches whose answer was lost without appending any of them twice', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    const producer = new Producer(client, { lingerMs: 2, batchRecordsMax: 20 });
    try {
      const acks: Promise<RecordAck>[] = [];
      for (let i = 0; i < records; i++) {
        acks.push(producer.send({ topic, partition: 0, value: `r${i}` }));
        // Kill the leader while batches are in flight: some are appended but never answered.
        if (i === records / 3) await cluster.node(leader.leaderId).kill('SIGKILL');
        if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      const acked = await Promise.all(acks);
      await producer.flush();

      const read = await cluster.readPartition(topic, 0, { timeoutMs: 60_000 });
      const values = read.map((r) => r.value);
      expect(new Set(values).size).toBe(values.length);
      expect(values).toEqual(Array.from({ length: records }, (_, i) => `r${i}`));
      acked.forEach((ack, i) => {
        expect(Number(read[ack.offset]?.offset)).toBe(ack.offset);
        expect(read[ack.offset]?.value).toBe(`r${i}`);
      });
    } finally {
      await producer.close();
      client.close();
    }
  }, 120_000);
});
