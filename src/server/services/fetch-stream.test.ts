import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecords, splitRecordBatches } from '../../../lib/index.js';
import type { FetchStreamResponse } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { batchOf, eventually, sleep, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

const text = new TextDecoder();
const valuesOf = (r: FetchStreamResponse): string[] =>
  r.partitions.flatMap((p) =>
    splitRecordBatches(p.records).flatMap((b) =>
      decodeRecords(b).map((d) => text.decode(d.value ?? new Uint8Array())),
    ),
  );

describe('FetchStream', () => {
  it('pushes existing and newly produced batches, then stops when the client leaves', async () => {
    const { broker, api } = await startServices();
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a') });
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const r of broker.fetchStream(
        {
          partitions: [
            { topic: 't', partition: 0 },
            { topic: 't', partition: 1 },
          ],
        },
        { signal: controller.signal },
      )) {
        seen.push(...valuesOf(r));
      }
    })().catch((e: unknown) => e);
    await eventually(() => seen.length === 1);
    await broker.produce({ topic: 't', partition: 1, batch: batchOf('b') });
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('c') });
    await eventually(() => seen.length === 3);
    expect(seen.sort()).toEqual(['a', 'b', 'c']);
    controller.abort();
    expect(await reading).toMatchObject({ code: 'CANCELLED' });
    // The server's long poll let go of its waiters.
    await eventually(() => api.partitionLog('t', 0).waiterCount + api.partitionLog('t', 1).waiterCount === 0);
  });

  it('sends heartbeats with fresh watermarks while nothing arrives', async () => {
    const { broker } = await startServices({ fetchStreamHeartbeatMsMin: 20 });
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a', 'b') });
    const pushes: { at: number; response: FetchStreamResponse }[] = [];
    const started = Date.now();
    for await (const response of broker.fetchStream({
      partitions: [{ topic: 't', partition: 0, offset: 2n }],
      heartbeatIntervalMs: 60,
    })) {
      pushes.push({ at: Date.now() - started, response });
      if (pushes.length === 4) break;
    }
    // First the current state, then heartbeats about every 60 ms, each empty but with watermarks.
    for (const { response } of pushes) {
      expect(response.partitions).toHaveLength(1);
      expect(response.partitions[0]).toMatchObject({
        highWatermark: 2n,
        nextOffset: 2n,
        records: new Uint8Array(0),
      });
    }
    expect(pushes[3]!.at).toBeGreaterThanOrEqual(170);
  });

  it('respects max_bytes per push and catches up over several pushes', async () => {
    const { broker } = await startServices();
    const batch = batchOf('y'.repeat(500));
    for (let i = 0; i < 6; i++) await broker.produce({ topic: 't', partition: 0, batch });
    let records = 0;
    for await (const r of broker.fetchStream({
      partitions: [{ topic: 't', partition: 0 }],
      maxBytes: batch.length * 2,
    })) {
      const bytes = r.partitions.reduce((sum, p) => sum + p.records.length, 0);
      expect(bytes).toBeLessThanOrEqual(batch.length * 2);
      records += valuesOf(r).length;
      if (records === 6) break;
    }
    expect(records).toBe(6);
  });

  it('pushes a partition’s error once, drops it, and ends when nothing is left to follow', async () => {
    const { broker, api } = await startServices();
    api.leaderElsewhere.set('t/1', '127.0.0.5:9');
    const pushes: FetchStreamResponse[] = [];
    const reading = (async () => {
      for await (const r of broker.fetchStream({
        partitions: [
          { topic: 't', partition: 0 },
          { topic: 't', partition: 1 },
        ],
      })) {
        pushes.push(r);
      }
    })();
    await eventually(() => pushes.length > 0);
    const failed = pushes[0]!.partitions.find((p) => p.partition === 1);
    expect(failed!.error).toMatchObject({ code: ErrorCode.NOT_LEADER, leaderHint: '127.0.0.5:9' });
    await sleep(50);
    // Leadership of the last followed partition moves while the stream waits on it.
    api.leaderElsewhere.set('t/0', '127.0.0.5:9');
    api.partitionLog('t', 0).append(batchOf('wake'));
    await reading;
    expect(
      pushes.flatMap((r) => r.partitions.filter((p) => p.error !== undefined).map((p) => p.partition)),
    ).toEqual([1, 0]);
  });
});
