import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError, splitRecordBatches } from '../../../lib/index.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { batchOf, sleep, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

describe('Fetch', () => {
  it('long-polls: an empty fetch returns as soon as data arrives, not at max_wait_ms', async () => {
    const { broker } = await startServices();
    const started = Date.now();
    const fetching = broker.fetch({
      partitions: [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ],
      maxWaitMs: 5_000,
    });
    await sleep(100);
    await broker.produce({ topic: 't', partition: 1, batch: batchOf('late') });
    const response = await fetching;
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(90);
    expect(elapsed).toBeLessThan(2_000);
    expect(response.partitions.map((p) => [p.partition, p.records.length > 0, p.nextOffset])).toEqual([
      [0, false, 0n],
      [1, true, 1n],
    ]);
  });

  it('answers an empty result after max_wait_ms, and at once without it', async () => {
    const { broker } = await startServices();
    let started = Date.now();
    const waited = await broker.fetch({ partitions: [{ topic: 't', partition: 0 }], maxWaitMs: 150 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(waited.partitions[0]).toMatchObject({ highWatermark: 0n, nextOffset: 0n });
    started = Date.now();
    await broker.fetch({ partitions: [{ topic: 't', partition: 0 }] });
    expect(Date.now() - started).toBeLessThan(140);
  });

  it('keeps the response within max_bytes across partitions, the first batch excepted', async () => {
    const { broker } = await startServices();
    const batch = batchOf('x'.repeat(1000));
    for (let i = 0; i < 3; i++) {
      await broker.produce({ topic: 't', partition: 0, batch });
      await broker.produce({ topic: 't', partition: 1, batch });
    }
    const both = [
      { topic: 't', partition: 0 },
      { topic: 't', partition: 1 },
    ];
    const small = await broker.fetch({ partitions: both, maxBytes: 10 });
    expect(small.partitions.map((p) => splitRecordBatches(p.records).length)).toEqual([1, 0]);
    // Not read at all: the response was full before its turn, so its watermarks are unknown here.
    expect(small.partitions[1]).toMatchObject({ nextOffset: 0n, highWatermark: -1n });
    const roomy = await broker.fetch({ partitions: both, maxBytes: batch.length * 4 });
    expect(roomy.partitions.map((p) => splitRecordBatches(p.records).length)).toEqual([3, 1]);
    // Read, but its data would overflow the response: watermarks without records.
    const tight = await broker.fetch({ partitions: both, maxBytes: batch.length * 3 + 10 });
    expect(tight.partitions.map((p) => splitRecordBatches(p.records).length)).toEqual([3, 0]);
    expect(tight.partitions[1]).toMatchObject({ nextOffset: 0n, highWatermark: 3n });
    const perPartition = await broker.fetch({
      partitions: both.map((p) => ({ ...p, partitionMaxBytes: batch.length * 2 })),
    });
    expect(perPartition.partitions.map((p) => splitRecordBatches(p.records).length)).toEqual([2, 2]);
  });

  it('reports partition failures per partition and fails the call only for a malformed request', async () => {
    const { broker } = await startServices();
    const response = await broker.fetch({
      partitions: [
        { topic: 't', partition: 0, offset: 5n },
        { topic: 'missing', partition: 0 },
        { topic: 't', partition: 9 },
      ],
      maxWaitMs: 5_000,
    });
    expect(response.partitions.map((p) => p.error?.code)).toEqual([
      ErrorCode.OFFSET_OUT_OF_RANGE,
      ErrorCode.TOPIC_NOT_FOUND,
      ErrorCode.PARTITION_NOT_FOUND,
    ]);
    const malformed = [
      { partitions: [] },
      { partitions: [{ topic: 't', offset: -1n }] },
      { partitions: [{ topic: 'bad name' }] },
      { partitions: [{ topic: 't' }, { topic: 't' }] },
      { partitions: [{ topic: 't' }], isolationLevel: 7 },
    ];
    for (const request of malformed) {
      const error = await broker.fetch(request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RaftlogError);
      expect((error as RaftlogError).code).toMatch(/^INVALID_(ARGUMENT|TOPIC_NAME)$/);
    }
  });
});
