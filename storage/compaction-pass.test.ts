import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch, partitionId, Prng, RecordBatchView, type PartitionId } from '../lib/index.js';
import { collectRange, CountingKvStore, type KvStore } from './kv/index.js';
import { CompactionPass, type CompactionStepLimits } from './compaction-pass.js';
import type { CompactionTarget } from './compaction-state.js';
import { partitionBatchRange } from './keys.js';
import { PartitionStore } from './partition-store.js';
import { StorageBatch } from './storage-batch.js';
import { tempRocks } from './test-helpers.js';

const p0 = partitionId(0);
const appendTimeMs = 1_800_000_000_000;
const text = new TextEncoder();
const utf8 = new TextDecoder();

interface Rec {
  readonly key: string | null;
  readonly value: string | null;
}

/** A keyed batch at `base`. */
function batchAt(base: number, records: readonly Rec[]): Uint8Array {
  const encoded = encodeRecordBatch({
    timestamp: 1_000 + base,
    records: records.map((r) => ({
      key: r.key === null ? null : text.encode(r.key),
      value: r.value === null ? null : text.encode(r.value),
    })),
  });
  return new RecordBatchView(encoded).withBaseOffset(base).bytes;
}

/** `batches` batches of `perBatch` records over `keys` keys, about one in ten a tombstone. */
function workload(seed: number, batches: number, perBatch: number, keys: number): Rec[][] {
  const prng = new Prng(seed);
  return Array.from({ length: batches }, (_, b) =>
    Array.from({ length: perBatch }, (_, i) => {
      const key = `k${prng.intBetween(0, keys - 1)}`;
      return { key, value: prng.chance(0.1) ? null : `${key}@${b * perBatch + i}` };
    }),
  );
}

async function appendAll(
  kv: KvStore,
  store: PartitionStore,
  partition: PartitionId,
  recs: Rec[][],
): Promise<void> {
  let base = (await store.info(partition)).nextOffset;
  for (const records of recs) {
    const batch = new StorageBatch();
    store.append(batch, partition, [batchAt(base, records)], appendTimeMs);
    await batch.commit(kv, { sync: false });
    base += records.length;
  }
}

async function compact(
  kv: KvStore,
  store: PartitionStore,
  target: CompactionTarget,
  limits: CompactionStepLimits = { batchesMax: 3, bytesMax: 64 * 1024 },
  keyMapBytesMax?: number,
): Promise<{ steps: number; batchesMax: number }> {
  let steps = 0;
  let batchesMax = 0;
  // A pass may stop short of the target (key map full): passes go on until the target is reached.
  for (let i = 0; i < 1000; i++) {
    const done = store.compactionState(p0).done;
    if (
      done.upToOffset >= target.upToOffset &&
      done.tombstonesBeforeOffset >= target.tombstonesBeforeOffset &&
      i > 0
    )
      break;
    const pass = new CompactionPass(
      kv,
      store,
      p0,
      target,
      keyMapBytesMax === undefined ? {} : { keyMapBytesMax },
    );
    for (let more = true; more;) {
      const r = await pass.step(limits);
      steps++;
      batchesMax = Math.max(batchesMax, r.batchesRead);
      more = r.more;
    }
  }
  return { steps, batchesMax };
}

/** Every record a fetch from offset 0 returns, with offsets, CRCs checked by the store. */
async function readAll(
  store: PartitionStore,
): Promise<{ offset: number; key: string | null; value: string | null }[]> {
  const out: { offset: number; key: string | null; value: string | null }[] = [];
  const info = await store.info(p0);
  for (let from = info.logStartOffset; from < info.nextOffset;) {
    const read = await store.read(p0, from, 16 * 1024);
    if (read.batches.length === 0) break;
    for (const bytes of read.batches) {
      const view = new RecordBatchView(bytes);
      expect(view.verifyCrc()).toBe(true);
      for (const r of view.records()) {
        if (r.offset < from) continue;
        out.push({
          offset: r.offset,
          key: r.key === null ? null : utf8.decode(r.key),
          value: r.value === null ? null : utf8.decode(r.value),
        });
      }
      from = view.nextOffset;
    }
  }
  return out;
}

/** What compaction to `target` must leave, computed from the plain list of records. */
function expected(
  recs: Rec[][],
  target: CompactionTarget,
): { offset: number; key: string | null; value: string | null }[] {
  const flat = recs.flat().map((r, offset) => ({ offset, ...r }));
  const newest = new Map<string, number>();
  for (const r of flat) if (r.key !== null && r.offset < target.upToOffset) newest.set(r.key, r.offset);
  return flat.filter((r) => {
    if (r.offset >= target.upToOffset || r.key === null) return true;
    if (newest.get(r.key) !== r.offset) return false;
    return !(r.value === null && r.offset < target.tombstonesBeforeOffset);
  });
}

async function storedBatches(kv: KvStore): Promise<string[]> {
  const rows = await collectRange(kv, partitionBatchRange(p0));
  return rows.map((e) => `${Buffer.from(e.key).toString('hex')}=${Buffer.from(e.value).toString('hex')}`);
}

describe('CompactionPass', () => {
  const cleanups: (() => Promise<void>)[] = [];
  let kv: CountingKvStore;
  let store: PartitionStore;

  async function freshStore(): Promise<{ kv: CountingKvStore; store: PartitionStore }> {
    const rocks = await tempRocks();
    cleanups.push(rocks.cleanup);
    const k = new CountingKvStore(rocks.kv);
    const s = new PartitionStore(k);
    await s.load(p0);
    return { kv: k, store: s };
  }

  beforeEach(async () => {
    ({ kv, store } = await freshStore());
  });

  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('keeps the newest record of each key, drops tombstones below their bound, keeps offsets and the tail', async () => {
    const recs: Rec[][] = [
      [
        { key: 'a', value: 'a1' },
        { key: 'b', value: 'b1' },
        { key: null, value: 'keyless' },
      ],
      [
        { key: 'a', value: 'a2' },
        { key: 'c', value: null },
        { key: 'b', value: null },
      ],
      [
        { key: 'd', value: 'd1' },
        { key: 'a', value: 'a3' },
      ],
      [{ key: 'a', value: 'tail' }],
    ];
    await appendAll(kv, store, p0, recs);
    await compact(kv, store, { upToOffset: 8, tombstonesBeforeOffset: 5 });
    expect(await readAll(store)).toEqual([
      { offset: 2, key: null, value: 'keyless' },
      { offset: 5, key: 'b', value: null },
      { offset: 6, key: 'd', value: 'd1' },
      { offset: 7, key: 'a', value: 'a3' },
      { offset: 8, key: 'a', value: 'tail' },
    ]);
    // A fetch inside a removed range gets the next stored batch.
    const read = await store.read(p0, 1, 1024);
    expect(new RecordBatchView(read.batches[0]!).baseOffset).toBe(0);
    const later = await store.read(p0, 3, 1024);
    expect(new RecordBatchView(later.batches[0]!).baseOffset).toBe(3);
    // A rewritten batch keeps its base offset and its offset span.
    const second = new RecordBatchView(later.batches[0]!);
    expect([second.lastOffset, second.recordCount]).toEqual([5, 1]);
    // A later bound removes the remaining tombstone; the batch that held only it goes.
    await compact(kv, store, { upToOffset: 8, tombstonesBeforeOffset: 8 });
    expect((await readAll(store)).map((r) => r.offset)).toEqual([2, 6, 7, 8]);
    expect(store.compactionState(p0)).toEqual({
      gapsBelow: 8,
      done: { upToOffset: 8, tombstonesBeforeOffset: 8 },
    });
  });

  it('drops aborted transactional records (they supersede nothing) and keeps control batches', async () => {
    const txn = (base: number, control: boolean, value: string): Uint8Array =>
      new RecordBatchView(
        encodeRecordBatch({
          timestamp: 1_000,
          producerId: 7,
          producerEpoch: 0,
          baseSequence: control ? -1 : 0,
          transactional: true,
          control,
          records: [{ key: text.encode(control ? 'marker' : 'a'), value: text.encode(value) }],
        }),
      ).withBaseOffset(base).bytes;
    await appendAll(kv, store, p0, [[{ key: 'a', value: 'a1' }]]);
    const batch = new StorageBatch();
    store.append(batch, p0, [txn(1, false, 'aborted'), txn(2, true, 'abort')], appendTimeMs);
    await batch.commit(kv, { sync: false });
    await appendAll(kv, store, p0, [[{ key: 'b', value: 'b1' }]]);
    const isAborted = (producerId: number, offset: number): boolean => producerId === 7 && offset < 2;
    const pass = new CompactionPass(
      kv,
      store,
      p0,
      { upToOffset: 4, tombstonesBeforeOffset: 4 },
      { isAborted },
    );
    for (let more = true; more;) more = (await pass.step()).more;
    expect((await readAll(store)).map((r) => `${r.offset}:${r.key}=${r.value}`)).toEqual([
      '0:a=a1',
      '2:marker=abort',
      '3:b=b1',
    ]);
  });

  it('matches the plain definition on a random log, in steps of a few batches', async () => {
    const recs = workload(7, 300, 20, 50);
    await appendAll(kv, store, p0, recs);
    const target = { upToOffset: 5_000, tombstonesBeforeOffset: 3_000 };
    const { steps, batchesMax } = await compact(kv, store, target);
    expect(batchesMax).toBeLessThanOrEqual(3);
    expect(steps).toBeGreaterThan(100);
    expect(await readAll(store)).toEqual(expected(recs, target));
  });

  it('ends byte-identical whatever the order of passes, step sizes, key map size or starting point', async () => {
    const recs = workload(11, 120, 25, 40);
    const t1 = { upToOffset: 1_500, tombstonesBeforeOffset: 500 };
    const t2 = { upToOffset: 2_900, tombstonesBeforeOffset: 2_000 };
    await appendAll(kv, store, p0, recs);
    await compact(kv, store, t1);
    await compact(kv, store, t2);

    const b = await freshStore();
    await appendAll(b.kv, b.store, p0, recs);
    await compact(b.kv, b.store, t2, { batchesMax: 50, bytesMax: 1024 * 1024 }, 2_000);

    // A replica that copies the compacted log (gaps included) and then applies both targets.
    const c = await freshStore();
    for (let from = 0; from < 3_000;) {
      const read = await store.read(p0, from, 8 * 1024);
      const batch = new StorageBatch();
      c.store.append(batch, p0, read.batches, appendTimeMs, { gapsAllowed: true });
      await batch.commit(c.kv, { sync: false });
      from = new RecordBatchView(read.batches[read.batches.length - 1]!).nextOffset;
    }
    await compact(c.kv, c.store, t1);
    await compact(c.kv, c.store, t2);

    const a = await storedBatches(kv);
    expect(await storedBatches(b.kv)).toEqual(a);
    expect(await storedBatches(c.kv)).toEqual(a);
    expect(await readAll(store)).toEqual(expected(recs, t2));
  });

  it.runIf(process.env.RAFTLOG_COMPACTION_BENCH === '1')(
    'compaction rate (RAFTLOG_COMPACTION_BENCH=1)',
    async () => {
      // 64 MiB in batches of 500 records of about 130 bytes over 1,000 keys, 5% tombstones.
      const recs = workload(5, 1_000, 500, 1_000).map((batch) =>
        batch.map((r) => ({ ...r, value: r.value === null ? null : r.value.padEnd(120, '.') })),
      );
      await appendAll(kv, store, p0, recs);
      const logBytes = (await store.info(p0)).appendedBytes;
      const started = performance.now();
      const pass = new CompactionPass(kv, store, p0, {
        upToOffset: 500_000,
        tombstonesBeforeOffset: 500_000,
      });
      for (let more = true; more;) more = (await pass.step()).more;
      await store.reclaimSpace(p0);
      const seconds = (performance.now() - started) / 1000;
      console.log(
        `compacted ${(logBytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(2)} s: ${(logBytes / 1e6 / seconds).toFixed(1)} MB/s`,
      );
      expect(await readAll(store)).toEqual(
        expected(recs, { upToOffset: 500_000, tombstonesBeforeOffset: 500_000 }),
      );
    },
    300_000,
  );

  it('writes nothing when the log was restarted under a pass', async () => {
    await appendAll(kv, store, p0, workload(3, 10, 10, 5));
    const pass = new CompactionPass(kv, store, p0, { upToOffset: 100, tombstonesBeforeOffset: 100 });
    await pass.step();
    const reset = new StorageBatch();
    store.resetTo(reset, p0, 100);
    await reset.commit(kv);
    const before = kv.counts.writes;
    expect((await pass.step()).more).toBe(false);
    expect(kv.counts.writes).toBe(before);
  });
});
