import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptionError,
  encodeRecordBatch,
  partitionId,
  Prng,
  RaftlogError,
  RecordBatchView,
} from '../lib/index.js';
import { CountingKvStore, KvWriteBatch, RocksKvStore } from './kv/index.js';
import { partitionBatchIndexKey, partitionBatchKey } from './keys.js';
import { PartitionStore, type PurgeStepLimits, type PurgeStepResult } from './partition-store.js';
import { StorageBatch } from './storage-batch.js';
import { tempRocks } from './test-helpers.js';

const p0 = partitionId(0);
const appendTimeMs = 1_800_000_000_000;
const p1 = partitionId(1);

/** A batch of `count` records at `base`, record i stamped `ts + i`. */
function batchAt(base: number, count: number, ts: number, valueBytes = 10): Uint8Array {
  const records = Array.from({ length: count }, (_, i) => ({
    value: new Uint8Array(valueBytes).fill(i),
    timestamp: ts + i,
  }));
  return new RecordBatchView(encodeRecordBatch({ records })).withBaseOffset(base).bytes;
}

describe('PartitionStore', () => {
  let rocks: Awaited<ReturnType<typeof tempRocks>>;
  let kv: CountingKvStore;
  let store: PartitionStore;

  beforeEach(async () => {
    rocks = await tempRocks();
    kv = new CountingKvStore(rocks.kv);
    store = new PartitionStore(kv);
    await store.load(p0);
    await store.load(p1);
  });
  afterEach(() => rocks.cleanup());

  async function append(partition = p0, ...batches: Uint8Array[]) {
    await appendAt(appendTimeMs, partition, ...batches);
  }

  async function appendAt(timeMs: number, partition = p0, ...batches: Uint8Array[]) {
    const b = new StorageBatch();
    store.append(b, partition, batches, timeMs);
    await b.commit(kv);
  }

  async function setLogStart(offset: number, partition = p0) {
    const b = new StorageBatch();
    store.setLogStart(b, partition, offset);
    await b.commit(kv);
  }

  /** Purges until nothing below the log start is left; returns the steps it took. */
  async function purgeAll(partition = p0, limits?: PurgeStepLimits) {
    const steps: PurgeStepResult[] = [];
    for (let more = true; more;) {
      const step = await store.purgeStep(partition, limits);
      steps.push(step);
      more = step.more;
    }
    return steps;
  }

  /** Appends `n` batches of 5 records each (offsets 0..5n-1), timestamps 1000 + 10 * offset. */
  async function fill(n: number, partition = p0) {
    const batches = Array.from({ length: n }, (_, i) => batchAt(i * 5, 5, 1000 + 50 * i));
    await append(partition, ...batches);
    return batches;
  }

  it('stores batches as is and reads many per call up to bytesMax', async () => {
    const batches = await fill(10);
    const size = batches[0]!.length;
    expect(await store.info(p0)).toEqual({
      logStartOffset: 0,
      nextOffset: 50,
      appendedBytes: size * 10,
      maxTimestamp: 1000 + 450 + 4,
      maxAppendTimeMs: appendTimeMs,
    });
    expect(await store.retainedBytes(p0)).toBe(size * 10);
    const all = await store.read(p0, 0, 1 << 20);
    expect(all.batches.length).toBe(10);
    all.batches.forEach((b, i) => expect(b).toEqual(batches[i]));
    const some = await store.read(p0, 12, size * 3);
    expect(some.batches.map((b) => new RecordBatchView(b).baseOffset)).toEqual([10, 15, 20]);
    expect(some.sizeBytes).toBe(size * 3);
    const one = await store.read(p0, 49, 1);
    expect(one.batches.map((b) => new RecordBatchView(b).baseOffset)).toEqual([45]);
    expect((await store.read(p0, 50, 100)).batches).toEqual([]);
    await expect(store.read(p0, 51, 100)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect((await store.read(p1, 0, 100)).batches).toEqual([]);
  });

  it('rejects offset gaps and malformed batches on append', async () => {
    await fill(2);
    expect(() => store.append(new StorageBatch(), p0, [batchAt(11, 1, 0)], 1)).toThrow(RaftlogError);
    const bad = batchAt(10, 1, 0);
    bad[bad.length - 1]! ^= 1;
    expect(() => store.append(new StorageBatch(), p0, [bad], 1)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
    expect(() => store.append(new StorageBatch(), p0, [new Uint8Array(10)], 1)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
    expect((await store.info(p0)).nextOffset).toBe(10);
  });

  it('never serves a batch with a flipped byte', async () => {
    const batches = await fill(3);
    const key = partitionBatchKey(p0, 5);
    const flipped = Uint8Array.from(batches[1]!);
    flipped[40]! ^= 0x10;
    await rocks.kv.write(new KvWriteBatch().put(key, flipped), { sync: true });
    await expect(store.read(p0, 0, 1 << 20)).rejects.toBeInstanceOf(CorruptionError);
    await expect(store.read(p0, 7, 1)).rejects.toBeInstanceOf(CorruptionError);
    expect((await store.read(p0, 0, 1)).batches.length).toBe(1);
    // A valid batch under the wrong key is corruption too.
    await rocks.kv.write(new KvWriteBatch().put(key, batches[2]!), { sync: true });
    await expect(store.read(p0, 5, 1)).rejects.toBeInstanceOf(CorruptionError);
    await rocks.kv.write(new KvWriteBatch().put(key, Uint8Array.of(1, 2, 3)), { sync: true });
    await expect(store.read(p0, 5, 1)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('finds offsets by timestamp with one seek on the time index', async () => {
    await fill(10);
    expect(await store.offsetForTimestamp(p0, 0)).toEqual({ offset: 0, timestamp: 1000 });
    expect(await store.offsetForTimestamp(p0, 1052)).toEqual({ offset: 7, timestamp: 1052 });
    expect(await store.offsetForTimestamp(p0, 1060)).toEqual({ offset: 10, timestamp: 1100 });
    expect(await store.offsetForTimestamp(p0, 1454)).toEqual({ offset: 49, timestamp: 1454 });
    expect(await store.offsetForTimestamp(p0, 1455)).toBeUndefined();
    // An older batch after a newer one adds no index entry; lookups still land on the first match.
    await append(p0, batchAt(50, 1, 500));
    expect(await store.offsetForTimestamp(p0, 400)).toEqual({ offset: 0, timestamp: 1000 });
  });

  it('moves the log start, purges below it in the background, and clamps lookups to the log start', async () => {
    const batches = await fill(10);
    const size = batches[0]!.length;
    await setLogStart(12);
    expect(await store.info(p0)).toMatchObject({ logStartOffset: 12, nextOffset: 50 });
    expect(await store.retainedBytes(p0)).toBe(size * 8);
    // Moving the log start deletes nothing by itself: the purge does, below the batch holding it.
    expect(await rocks.kv.get(partitionBatchKey(p0, 5))).toBeDefined();
    expect(store.partitionsToPurge()).toEqual([p0]);
    expect(await purgeAll()).toEqual([{ batches: 2, bytes: size * 2, more: false }]);
    expect(store.partitionsToPurge()).toEqual([]);
    expect(await rocks.kv.get(partitionBatchKey(p0, 5))).toBeUndefined();
    expect(await rocks.kv.get(partitionBatchIndexKey(p0, 5))).toBeUndefined();
    expect(await rocks.kv.get(partitionBatchKey(p0, 10))).toBeDefined();
    await expect(store.read(p0, 11, 1)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
    expect(new RecordBatchView((await store.read(p0, 12, 1)).batches[0]!).baseOffset).toBe(10);
    expect(await store.offsetForTimestamp(p0, 0)).toEqual({ offset: 12, timestamp: 1102 });
    expect(await store.retentionCutoffByBytes(p0, size * 8)).toBe(12);
    expect(await store.retentionCutoffByBytes(p0, size * 3 + 1)).toBe(35);
    await setLogStart(await store.retentionCutoffByBytes(p0, size * 3));
    expect(await store.info(p0)).toMatchObject({ logStartOffset: 35 });
    expect(await store.retainedBytes(p0)).toBe(size * 3);
    await setLogStart(50);
    expect(await store.info(p0)).toMatchObject({ logStartOffset: 50, nextOffset: 50 });
    expect(await store.retainedBytes(p0)).toBe(0);
    await purgeAll();
    expect((await rocks.kv.get(partitionBatchKey(p0, 45))) === undefined).toBe(true);
    expect(await store.offsetForTimestamp(p0, 0)).toBeUndefined();
    await append(p0, batchAt(50, 2, 5000));
    expect((await store.read(p0, 50, 1 << 20)).batches.length).toBe(1);
    expect(await store.retainedBytes(p0)).toBe(batchAt(50, 2, 5000).length);
  });

  it('moves the log start into batches staged in the same write batch (a replica catching up)', async () => {
    // The exact state of the replica that crash-looped: 20-record batches to 2000, log start 1360.
    const twenty = (base: number) => batchAt(base, 20, 1_000, 8);
    await append(p0, ...Array.from({ length: 100 }, (_, i) => twenty(i * 20)));
    await setLogStart(1_360);
    const b = new StorageBatch();
    store.append(
      b,
      p0,
      Array.from({ length: 100 }, (_, i) => twenty(2_000 + i * 20)),
      appendTimeMs,
    );
    store.setLogStart(b, p0, 3_360);
    await b.commit(kv);
    expect(await store.info(p0)).toMatchObject({ logStartOffset: 3_360, nextOffset: 4_000 });
    expect(new RecordBatchView((await store.read(p0, 3_360, 1)).batches[0]!).baseOffset).toBe(3_360);
    await purgeAll();
    expect(await rocks.kv.get(partitionBatchKey(p0, 3_340))).toBeUndefined();
    expect(await rocks.kv.get(partitionBatchKey(p0, 3_360))).toBeDefined();
    expect(await store.retainedBytes(p0)).toBe(twenty(0).length * 32);
  });

  it('retains by append time, not by the records own timestamps (a backfill from 2001)', async () => {
    const hourMs = 3_600_000;
    const now = Date.UTC(2030, 0, 1);
    const y2001 = Date.UTC(2001, 0, 1);
    // A backfill: records stamped in 2001, appended now.
    await appendAt(now, p0, ...Array.from({ length: 10 }, (_, i) => batchAt(i * 5, 5, y2001 + i)));
    expect(await store.retentionCutoffByAppendTime(p0, now - hourMs)).toBe(0);
    // Two hours on, a 1-hour retention drops the backfill and keeps what came after it.
    await appendAt(now + 2 * hourMs, p0, batchAt(50, 5, y2001));
    expect(await store.retentionCutoffByAppendTime(p0, now + 2 * hourMs - hourMs)).toBe(50);
    expect(await store.retentionCutoffByAppendTime(p0, now + 3 * hourMs)).toBe(55);
  });

  it('splits a purge of many MiB into bounded steps and takes sizes from the index, not the batches', async () => {
    const big = (base: number) => batchAt(base, 4, 1, 64 * 1024);
    const n = 64;
    await append(p0, ...Array.from({ length: n }, (_, i) => big(i * 4)));
    const size = big(0).length;
    expect(size * n).toBeGreaterThan(16 * 1024 * 1024);
    // Every stored batch value replaced by garbage: anything that reads a batch now fails.
    for (let i = 0; i < n; i++) {
      await rocks.kv.write(new KvWriteBatch().put(partitionBatchKey(p0, i * 4), Uint8Array.of(7)), {
        sync: false,
      });
    }
    expect(await store.retentionCutoffByBytes(p0, size * 4)).toBe((n - 4) * 4);
    await setLogStart((n - 4) * 4);
    expect(await store.retainedBytes(p0)).toBe(size * 4);
    const limits = { batchesMax: 1_000, bytesMax: 1024 * 1024 };
    kv.reset();
    const steps = await purgeAll(p0, limits);
    expect(steps.length).toBe(Math.ceil(((n - 4) * size) / Math.floor(limits.bytesMax / size) / size));
    for (const s of steps) expect(s.bytes).toBeLessThanOrEqual(limits.bytesMax);
    expect(steps.reduce((sum, s) => sum + s.batches, 0)).toBe(n - 4);
    expect(kv.counts.writes).toBe(steps.length);
    expect(await rocks.kv.get(partitionBatchKey(p0, (n - 5) * 4))).toBeUndefined();
    expect(await rocks.kv.get(partitionBatchKey(p0, (n - 4) * 4))).toBeDefined();
    // Bounded by count as well.
    await append(p0, ...Array.from({ length: 10 }, (_, i) => batchAt(n * 4 + i, 1, 1)));
    await setLogStart(n * 4 + 10);
    const counted = await purgeAll(p0, { batchesMax: 3, bytesMax: 1 << 30 });
    expect(counted.map((s) => s.batches)).toEqual([3, 3, 3, 3, 2]);
  });

  it('purges from where the last step stopped, and from the start again after a restart of the log', async () => {
    await fill(10);
    await setLogStart(20);
    await purgeAll();
    await setLogStart(30);
    expect(await purgeAll()).toEqual([{ batches: 2, bytes: batchAt(0, 5, 0).length * 2, more: false }]);
    const b = new StorageBatch();
    store.resetTo(b, p0, 100);
    await b.commit(kv);
    await append(p0, ...Array.from({ length: 4 }, (_, i) => batchAt(100 + i * 5, 5, 10 + i)));
    await setLogStart(110);
    expect((await purgeAll()).reduce((n, s) => n + s.batches, 0)).toBe(2);
    expect(await rocks.kv.get(partitionBatchKey(p0, 105))).toBeUndefined();
    expect(await rocks.kv.get(partitionBatchKey(p0, 110))).toBeDefined();
    expect(await store.offsetForTimestamp(p0, 0)).toEqual({ offset: 110, timestamp: 12 });
  });

  it('bounds the index entries one retention-by-bytes lookup reads', async () => {
    await fill(10);
    const size = batchAt(0, 5, 0).length;
    expect(await store.retentionCutoffByBytes(p0, size, 3)).toBe(15);
    expect(await store.retentionCutoffByBytes(p0, size)).toBe(45);
  });

  it('restarts a log that ends below a new log start, and refuses to restart inside the log', async () => {
    await fill(2);
    const b = new StorageBatch();
    expect(() => store.resetTo(b, p0, 5)).toThrow(/already ends at 10/);
    const ok = new StorageBatch();
    store.resetTo(ok, p0, 40);
    await ok.commit(kv);
    expect(await store.info(p0)).toEqual({
      logStartOffset: 40,
      nextOffset: 40,
      appendedBytes: 0,
      maxTimestamp: -1,
      maxAppendTimeMs: -1,
    });
    expect(await rocks.kv.get(partitionBatchKey(p0, 0))).toBeUndefined();
    await append(p0, batchAt(40, 3, 7000));
    expect(new RecordBatchView((await store.read(p0, 40, 1 << 20)).batches[0]!).baseOffset).toBe(40);
    await expect(store.read(p0, 39, 1)).rejects.toMatchObject({ code: 'OFFSET_OUT_OF_RANGE' });
  });

  it('truncates after a batch boundary and recomputes the maximum timestamp', async () => {
    const batches = await fill(10);
    const b = new StorageBatch();
    await expect(store.truncateAfter(b, p0, 21)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await store.truncateAfter(b, p0, 24);
    await b.commit(kv);
    expect(await store.info(p0)).toEqual({
      logStartOffset: 0,
      nextOffset: 25,
      appendedBytes: batches[0]!.length * 5,
      maxTimestamp: 1204,
      maxAppendTimeMs: appendTimeMs,
    });
    expect(await store.retainedBytes(p0)).toBe(batches[0]!.length * 5);
    expect(await store.offsetForTimestamp(p0, 1300)).toBeUndefined();
    await append(p0, batchAt(25, 1, 9000));
    expect(await store.offsetForTimestamp(p0, 1300)).toEqual({ offset: 25, timestamp: 9000 });
  });

  it('survives a reopen', async () => {
    await fill(4);
    await fill(2, p1);
    await rocks.kv.close();
    rocks.kv = await RocksKvStore.open(`${rocks.dir}/db`);
    const again = new PartitionStore(rocks.kv);
    expect((await again.info(p0)).nextOffset).toBe(20);
    expect((await again.info(p1)).nextOffset).toBe(10);
    expect((await again.read(p0, 17, 1 << 20)).batches.length).toBe(1);
  });

  it('finds an offset by timestamp among 20,000 batches with seeks, also past a moved log start', async () => {
    const n = 20_000;
    const b = new StorageBatch();
    // One batch at 5000 stamped far in the future: once retention drops it, lookups clamp to the log start.
    const batches = Array.from({ length: n }, (_, i) => batchAt(i, 1, i === 5_000 ? 9_000_000 : 1_000 + i));
    store.append(b, p1, batches, appendTimeMs);
    await b.commit(kv);
    const prng = new Prng(3);
    for (let i = 0; i < 100; i++) {
      const ts = prng.intBetween(1_000, 5_999);
      kv.reset();
      expect(await store.offsetForTimestamp(p1, ts)).toEqual({ offset: ts - 1_000, timestamp: ts });
      expect(kv.counts.iteratorSteps).toBeLessThanOrEqual(8);
    }
    await setLogStart(10_000, p1);
    await purgeAll(p1);
    kv.reset();
    // The time index points before the log start: the batch index (not the batches) is walked from there.
    expect(await store.offsetForTimestamp(p1, 15_000)).toEqual({ offset: 14_000, timestamp: 15_000 });
    expect(await store.offsetForTimestamp(p1, 5_000)).toEqual({ offset: 10_000, timestamp: 11_000 });
    expect(await store.offsetForTimestamp(p1, 9_000_001)).toBeUndefined();
  }, 60_000);

  it('reads any offset among 100,000 batches with a seek, not a scan', async () => {
    const template = new RecordBatchView(
      encodeRecordBatch({ records: [{ value: new Uint8Array(16) }, { value: null }], timestamp: 1 }),
    );
    const n = 100_000;
    const perWrite = 20_000;
    for (let start = 0; start < n; start += perWrite) {
      const b = new StorageBatch();
      const chunk = Array.from(
        { length: perWrite },
        (_, i) => template.withBaseOffset((start + i) * 2).bytes,
      );
      store.append(b, p1, chunk, appendTimeMs);
      await b.commit(kv, { sync: start + perWrite >= n });
    }
    expect((await store.info(p1)).nextOffset).toBe(2 * n);
    const prng = new Prng(7);
    for (let i = 0; i < 200; i++) {
      const offset = prng.intBetween(0, 2 * n - 1);
      kv.reset();
      const res = await store.read(p1, offset, 1);
      expect(new RecordBatchView(res.batches[0]!).baseOffset).toBe(offset - (offset % 2));
      expect(kv.counts.iteratorSteps).toBeLessThanOrEqual(3);
      expect(kv.counts.keysRead).toBe(0);
    }
    kv.reset();
    const several = await store.read(p1, 150_001, template.sizeBytes * 4);
    expect(several.batches.length).toBe(4);
    expect(kv.counts.iteratorSteps).toBeLessThanOrEqual(6);
  }, 60_000);
});
