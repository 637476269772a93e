import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RaftlogError, RecordBatchView } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { Consumer, type ConsumerClient } from './consumer.js';

const utf8 = new TextEncoder();

function stored(baseOffset: number, count: number): Uint8Array {
  const records = Array.from({ length: count }, (_, i) => ({ value: utf8.encode(`r${baseOffset + i}`) }));
  const bytes = encodeRecordBatch({ records, timestamp: 1 });
  return new RecordBatchView(bytes).withBaseOffset(baseOffset, { inPlace: true }).bytes;
}

/** Two "nodes": the first answers NOT_LEADER once, the second serves 3-record batches from the asked offset. */
function fakeCluster(): ConsumerClient & { asked: string[]; hints: string[] } {
  const asked: string[] = [];
  const hints: string[] = [];
  const broker = (address: string) => ({
    listOffsets: async () => ({ offsets: [{ offset: 4n }] }),
    async *fetchStream(req: { partitions: { partition: number; offset: bigint }[] }) {
      const p = req.partitions[0]!;
      asked.push(`${address}@${p.offset}`);
      if (address === 'old:1') {
        yield {
          partitions: [
            {
              topic: 't',
              partition: p.partition,
              records: new Uint8Array(0),
              nextOffset: 0n,
              error: { code: ErrorCode.NOT_LEADER, message: 'moved', leaderHint: 'new:1' },
            },
          ],
        };
        return;
      }
      // Batches of 3 aligned at multiples of 3, so a fetch may begin before the asked offset.
      for (let base = Math.floor(Number(p.offset) / 3) * 3; base < 12; base += 3) {
        yield {
          partitions: [{ topic: 't', partition: p.partition, records: stored(base, 3), nextOffset: 0n }],
        };
      }
      throw new RaftlogError('UNAVAILABLE', 'node went away');
    },
  });
  return {
    asked,
    hints,
    partitionCount: async () => 1,
    addresses: () => ['old:1'],
    leaderAddress: async () => hints.at(-1) ?? 'old:1',
    noteError: (_t, _p, e) => {
      if (e.leaderHint !== undefined) hints.push(e.leaderHint);
    },
    broker: broker as unknown as ConsumerClient['broker'],
  };
}

describe('Consumer', () => {
  it('follows the leader hint and yields records from the start offset in order', async () => {
    const cluster = fakeCluster();
    const consumer = new Consumer(cluster, { from: 'latest', retry: { backoffBaseMs: 1, backoffMaxMs: 2 } });
    await consumer.assignTopic('t');
    const offsets: number[] = [];
    for await (const r of consumer) {
      offsets.push(r.offset);
      expect(new TextDecoder().decode(r.value ?? undefined)).toBe(`r${r.offset}`);
      if (offsets.length === 8) break;
    }
    expect(offsets).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(cluster.asked.slice(0, 2)).toEqual(['old:1@4', 'new:1@4']);
    await consumer.close();
  });

  it('ends the iteration with a non-retriable error', async () => {
    const cluster = fakeCluster();
    cluster.broker = (() => ({
      async *fetchStream() {
        yield {
          partitions: [
            {
              topic: 't',
              partition: 0,
              records: new Uint8Array(0),
              nextOffset: 0n,
              error: { code: ErrorCode.OFFSET_OUT_OF_RANGE, message: 'gone' },
            },
          ],
        };
      },
    })) as unknown as ConsumerClient['broker'];
    const consumer = new Consumer(cluster);
    consumer.assign([{ topic: 't', partition: 0, from: 99 }]);
    await expect(
      (async () => {
        for await (const _ of consumer) void _;
      })(),
    ).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    await consumer.close();
  });
});
