import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RaftlogError, splitRecordBatches } from '../../lib/index.js';
import { Acks, OffsetSpec } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { startCluster, type TestCluster } from './harness/index.js';

const topic = 'read-your-writes';
const retriable = new Set(['NOT_LEADER', 'LEADER_NOT_AVAILABLE', 'UNAVAILABLE']);

/**
 * The leader answers a produce as soon as the batch is committed, while its own write of the apply
 * may still be in flight: a read right after the answer must still see the batch.
 */
async function produceThenRead(cluster: TestCluster, value: string, timestampMs: number): Promise<boolean> {
  const leader = await cluster.waitForLeader(topic, 0);
  const broker = cluster.broker(leader.address);
  try {
    const batch = encodeRecordBatch({
      timestamp: timestampMs,
      records: [{ key: null, value: new TextEncoder().encode(value) }],
    });
    const { baseOffset } = await broker.produce({ topic, partition: 0, acks: Acks.QUORUM, batch });
    const [fetched, listed] = await Promise.all([
      broker.fetch({ partitions: [{ topic, partition: 0, offset: baseOffset }] }),
      broker.listOffsets({
        partitions: [{ topic, partition: 0, spec: OffsetSpec.TIMESTAMP, timestampMs: BigInt(timestampMs) }],
      }),
    ]);
    const part = fetched.partitions[0]!;
    if (part.error !== undefined) throw RaftlogError.from(part.error);
    const first = splitRecordBatches(part.records)[0];
    expect(first, `offset ${baseOffset} was acknowledged but not readable`).toBeDefined();
    expect(first!.baseOffset).toBe(Number(baseOffset));
    const found = listed.offsets[0]!;
    expect(found.offset, `timestamp ${timestampMs} not found after its ack`).not.toBe(-1n);
    expect(found.offset).toBeLessThanOrEqual(baseOffset);
    return true;
  } catch (error) {
    // A leadership move in between says nothing about visibility: that round is not counted.
    if (retriable.has(RaftlogError.from(error).code)) return false;
    throw error;
  }
}

describe('read your writes, 3 nodes', () => {
  it('a fetch and a timestamp lookup right after a quorum ack find the batch', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    let clock = Date.now();
    let checked = 0;
    // Four producers at once keep the leader's cycles busy, so answers go out while writes run.
    await Promise.all(
      [0, 1, 2, 3].map(async (producer) => {
        for (let i = 0; i < 50; i++) {
          if (await produceThenRead(cluster, `${producer}-${i}`, ++clock)) checked++;
        }
      }),
    );
    expect(checked).toBeGreaterThanOrEqual(150);
  }, 120_000);
});
