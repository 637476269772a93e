import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RecordBatchView } from '../../lib/index.js';
import { IsolationLevel } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import type { DecodedChunk } from './fetched-records.js';
import { PartitionFetcher, type FetcherClient, type FetcherOptions } from './partition-fetcher.js';

const positions = { logStartOffset: 6n, lastStableOffset: 9n, highWatermark: 12n };
const unset = { logStartOffset: -1n, lastStableOffset: -1n, highWatermark: -1n };

function stored(baseOffset: number): Uint8Array {
  const bytes = encodeRecordBatch({ records: [{ value: new Uint8Array([baseOffset]) }], timestamp: 1 });
  return new RecordBatchView(bytes).withBaseOffset(baseOffset, { inPlace: true }).bytes;
}

/** Offset 0 is out of range (with `carried` positions); any other offset yields one record there. */
function outOfRangeAtZero(carried: typeof positions) {
  const asked: string[] = [];
  const broker = () => ({
    listOffsets: async (req: { partitions: { spec: number }[] }) => {
      asked.push(`listOffsets spec ${req.partitions[0]!.spec}`);
      return { offsets: [{ offset: 3n }] };
    },
    async *fetchStream(req: { partitions: { offset: bigint }[] }) {
      const offset = req.partitions[0]!.offset;
      asked.push(`fetch@${offset}`);
      const part = { topic: 't', partition: 0, nextOffset: 0n };
      if (offset === 0n) {
        const error = { code: ErrorCode.OFFSET_OUT_OF_RANGE, message: 'gone' };
        yield { partitions: [{ ...part, ...carried, records: new Uint8Array(0), error }] };
        return;
      }
      yield { partitions: [{ ...part, records: stored(Number(offset)) }] };
    },
  });
  const client: FetcherClient = {
    leaderAddress: async () => 'n:1',
    noteError: () => undefined,
    broker: broker as unknown as FetcherClient['broker'],
  };
  return { client, asked };
}

async function firstOffsetAfterReset(
  carried: typeof positions,
  reset: 'earliest' | 'latest',
  isolation: IsolationLevel,
): Promise<{ offset: number; asked: string[] }> {
  const { client, asked } = outOfRangeAtZero(carried);
  const abort = new AbortController();
  const options: FetcherOptions = {
    partitionMaxBytes: 1024,
    heartbeatIntervalMs: 1_000,
    isolation,
    retry: { backoffBaseMs: 1, backoffMaxMs: 2 },
    pollWaitMs: 10,
    outOfRangeReset: reset,
  };
  let offset = -1;
  const sink = async (chunk: DecodedChunk): Promise<void> => {
    offset = chunk.records[0]!.offset;
    abort.abort();
  };
  await new PartitionFetcher(client, 't', 0, 0, sink, options, abort.signal).run();
  return { offset, asked };
}

describe('PartitionFetcher', () => {
  it('resets from the positions an OFFSET_OUT_OF_RANGE carries, without asking ListOffsets', async () => {
    const earliest = await firstOffsetAfterReset(positions, 'earliest', IsolationLevel.READ_UNCOMMITTED);
    expect(earliest).toEqual({ offset: 6, asked: ['fetch@0', 'fetch@6'] });
    const latest = await firstOffsetAfterReset(positions, 'latest', IsolationLevel.READ_UNCOMMITTED);
    expect(latest.asked).toEqual(['fetch@0', 'fetch@12']);
    // read_committed readers end at the last stable offset, not the high watermark.
    const committed = await firstOffsetAfterReset(positions, 'latest', IsolationLevel.READ_COMMITTED);
    expect(committed.asked).toEqual(['fetch@0', 'fetch@9']);
  });

  it('asks ListOffsets when the server left the positions unset', async () => {
    const { offset, asked } = await firstOffsetAfterReset(unset, 'earliest', IsolationLevel.READ_UNCOMMITTED);
    expect(offset).toBe(3);
    expect(asked).toEqual(['fetch@0', 'listOffsets spec 1', 'fetch@3']);
  });
});
