import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch, partitionId, RecordBatchView } from '../../lib/index.js';
import { PartitionStore, StorageBatch } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import { RetentionPurge } from './retention-purge.js';

const kib = 1024;

function bigBatch(base: number): Uint8Array {
  const batch = encodeRecordBatch({ records: [{ value: new Uint8Array(64 * kib) }], timestamp: 1 });
  return new RecordBatchView(batch).withBaseOffset(base).bytes;
}

describe('RetentionPurge', () => {
  let rocks: Awaited<ReturnType<typeof tempRocks>>;
  beforeEach(async () => {
    rocks = await tempRocks();
  });
  afterEach(() => rocks.cleanup());

  it('frees many MiB in bounded steps, yielding between them, at most passBytesMax a pass', async () => {
    const store = new PartitionStore(rocks.kv);
    const parts = [partitionId(1), partitionId(2)];
    for (const p of parts) {
      await store.load(p);
      const b = new StorageBatch();
      store.append(
        b,
        p,
        Array.from({ length: 64 }, (_, i) => bigBatch(i)),
        1_000,
      );
      store.setLogStart(b, p, 64);
      await b.commit(rocks.kv);
    }
    const size = bigBatch(0).length;
    let pauses = 0;
    const limits = { passBytesMax: 6 * 1024 * kib, step: { batchesMax: 1_000, bytesMax: 512 * kib } };
    const purge = new RetentionPurge(store, pino({ level: 'silent' }), limits, () => {
      pauses++;
      return new Promise((resolve) => setImmediate(resolve));
    });
    const perStep = Math.floor((512 * kib) / size);
    const first = await purge.pass();
    // 8 MiB below the log starts in all; a pass stops once it freed 6 MiB.
    expect(first.bytes).toBeGreaterThanOrEqual(limits.passBytesMax);
    expect(first.bytes).toBeLessThan(limits.passBytesMax + perStep * size);
    // No step deletes more than bytesMax, so freeing this much took at least this many steps.
    expect(first.steps).toBeGreaterThanOrEqual(Math.ceil(first.batches / perStep));
    expect(pauses).toBe(first.steps);
    const second = await purge.pass();
    expect(first.batches + second.batches).toBe(128);
    expect(store.partitionsToPurge()).toEqual([]);
    expect((await purge.pass()).steps).toBe(0);
  });
});
