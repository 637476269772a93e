import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptionError,
  encodeRecordBatch,
  groupId,
  logIndex,
  nodeId,
  partitionId,
  RecordBatchView,
  term,
  type LogIndex,
} from '../lib/index.js';
import type { Entry } from '../raft/log-types.js';
import { KvWriteBatch, type KvStore } from './kv/index.js';
import { partitionBatchKey, raftEntryKey } from './keys.js';
import { PartitionStore } from './partition-store.js';
import { RaftLogStore } from './raft-log-store.js';
import { StorageBatch } from './storage-batch.js';
import { tempRocks } from './test-helpers.js';

const p = partitionId(3);
const g = groupId(3);
const appendTimeMs = 1_800_000_000_000;
/** Bytes before the batch inside an entry's data (a partition command's header, say). */
const header = 5;

/**
 * An entry whose data is a small header then a batch of `count` records, baseOffset 0 as produced.
 * With `keys`, record i has key `keys[i]`.
 */
function entryWithBatch(
  index: number,
  count: number,
  keys?: readonly string[],
): { entry: Entry; batch: Uint8Array } {
  const batch = encodeRecordBatch({
    records: Array.from({ length: count }, (_, i) => ({
      value: new Uint8Array(64).fill(index + i),
      ...(keys === undefined ? {} : { key: new TextEncoder().encode(keys[i]) }),
    })),
    timestamp: 1_000 + index,
  });
  const data = new Uint8Array(header + batch.length);
  data.set(batch, header);
  const entry: Entry = { index: logIndex(index), term: term(1), type: 'normal', data };
  return { entry, batch: data.subarray(header) };
}

describe('batches stored as references into their Raft entries', () => {
  let rocks: Awaited<ReturnType<typeof tempRocks>>;
  let kv: KvStore;
  let logs: RaftLogStore;
  let store: PartitionStore;
  let next = 0;

  beforeEach(async () => {
    rocks = await tempRocks();
    kv = rocks.kv;
    ({ logs, store } = await open());
    next = 0;
  });
  afterEach(() => rocks.cleanup());

  async function open(): Promise<{ logs: RaftLogStore; store: PartitionStore }> {
    const l = new RaftLogStore(kv);
    await l.load(g);
    const s = new PartitionStore(kv, { archive: l });
    await s.load(p);
    return { logs: l, store: s };
  }

  /**
   * Appends entries `from..to` (3 records each, keyed by `keysOf` when given) and applies each as a
   * referenced batch, in one write.
   */
  async function applyEntries(
    from: number,
    to: number,
    keysOf?: (index: number) => string[],
  ): Promise<Uint8Array[]> {
    const batch = new StorageBatch();
    const made = Array.from({ length: to - from + 1 }, (_, i) =>
      entryWithBatch(from + i, 3, keysOf?.(from + i)),
    );
    logs.appendEntries(
      batch,
      g,
      made.map((m) => m.entry),
    );
    const expected: Uint8Array[] = [];
    for (const m of made) {
      const input = { group: g, index: m.entry.index, data: m.entry.data, batch: m.batch };
      store.appendFromEntry(batch, p, { ...input, baseOffset: next }, appendTimeMs);
      expected.push(new RecordBatchView(m.batch).withBaseOffset(next).bytes);
      next += 3;
    }
    await batch.commit(kv, { sync: true });
    return expected;
  }

  async function compactLog(to: number, retained?: { from: number; through: number }): Promise<void> {
    const batch = new StorageBatch();
    await logs.compactPrefix(batch, g, to as LogIndex, {}, retained);
    await batch.commit(kv, { sync: true });
  }

  async function entryStored(index: number): Promise<boolean> {
    return (await kv.get(raftEntryKey(g, index))) !== undefined;
  }

  it('stores a small reference, not a copy, and reads back exactly what a copy would hold', async () => {
    const expected = await applyEntries(1, 10);
    const stored = await kv.get(partitionBatchKey(p, 0));
    expect(stored?.length).toBeLessThan(64);
    const all = await store.read(p, 0, 1 << 20);
    expect(all.batches).toEqual(expected);
    expect(all.sizeBytes).toBe(expected.reduce((n, b) => n + b.length, 0));
    const some = await store.read(p, 7, expected[0]!.length * 2);
    expect(some.batches.map((b) => new RecordBatchView(b).baseOffset)).toEqual([6, 9]);
    expect(await store.offsetForTimestamp(p, 1_005)).toEqual({ offset: 12, timestamp: 1_005 });
    // Copies (a gap fill's) and references read back alike in one call.
    const copy = new RecordBatchView(entryWithBatch(99, 2).batch).withBaseOffset(30).bytes;
    const b = new StorageBatch();
    store.append(b, p, [copy], appendTimeMs);
    await b.commit(kv, { sync: true });
    next = 32;
    const more = await applyEntries(11, 12);
    expect((await store.read(p, 27, 1 << 20)).batches).toEqual([expected[9], copy, ...more]);
  });

  it('never serves a batch whose entry is missing or damaged', async () => {
    await applyEntries(1, 3);
    const value = (await kv.get(raftEntryKey(g, 2))) as Uint8Array;
    const flipped = Uint8Array.from(value);
    flipped[40]! ^= 0x01;
    await kv.write(new KvWriteBatch().put(raftEntryKey(g, 2), flipped), { sync: true });
    await expect(store.read(p, 0, 1 << 20)).rejects.toBeInstanceOf(CorruptionError);
    await expect(store.read(p, 4, 1)).rejects.toBeInstanceOf(CorruptionError);
    expect((await store.read(p, 0, 1)).batches.length).toBe(1);
    await kv.write(new KvWriteBatch().del(raftEntryKey(g, 2)), { sync: true });
    await expect(store.read(p, 3, 1)).rejects.toThrow(/entry 2 of group 3.*not stored/);
    // A reference moved under another offset is refused by its checksum.
    const ref = (await kv.get(partitionBatchKey(p, 6))) as Uint8Array;
    await kv.write(new KvWriteBatch().put(partitionBatchKey(p, 0), ref), { sync: true });
    await expect(store.read(p, 0, 1)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('keeps referenced entries when the log compacts, until retention passes them', async () => {
    const expected = await applyEntries(1, 20);
    // The state machine refers to everything applied: compaction moves Raft's first index only.
    await compactLog(15, { from: store.entryFloor(p), through: 20 });
    expect(logs.bounds(g).firstIndex).toBe(16);
    await expect(logs.term(g, logIndex(10))).rejects.toMatchObject({ name: 'LogCompactedError' });
    expect((await store.read(p, 0, 1 << 20)).batches).toEqual(expected);
    // A reopen sees the same bounds with the archive below them.
    ({ logs, store } = await open());
    expect(logs.bounds(g)).toEqual({ firstIndex: 16, lastIndex: 20 });
    expect(logs.lowestStored(g)).toBe(1);
    // Retention drops the first 8 batches: the purge raises the floor and deletes their entries.
    const b = new StorageBatch();
    store.setLogStart(b, p, 24);
    await b.commit(kv, { sync: true });
    for (let more = true; more;) more = (await store.purgeStep(p)).more;
    expect(store.entryFloor(p)).toBe(9);
    for (let i = 1; i <= 8; i++) expect(await entryStored(i)).toBe(false);
    for (let i = 9; i <= 20; i++) expect(await entryStored(i)).toBe(true);
    expect((await store.read(p, 24, 1 << 20)).batches).toEqual(expected.slice(8));
    // Compaction now deletes what lies below the floor and keeps the rest.
    ({ logs, store } = await open());
    await compactLog(18, { from: 9, through: 20 });
    for (let i = 9; i <= 20; i++) expect(await entryStored(i)).toBe(true);
    expect(logs.lowestStored(g)).toBe(9);
  });

  it('deletes entries only below the floor and below the first index, in bounded steps', async () => {
    await applyEntries(1, 10);
    await compactLog(10, { from: 1, through: 10 });
    const batch = new StorageBatch();
    expect(logs.deleteArchived(batch, g, 8, 3)).toBe(true);
    await batch.commit(kv, { sync: false });
    for (let i = 1; i <= 3; i++) expect(await entryStored(i)).toBe(false);
    expect(await entryStored(4)).toBe(true);
    const rest = new StorageBatch();
    expect(logs.deleteArchived(rest, g, 8, 100)).toBe(false);
    await rest.commit(kv, { sync: false });
    for (let i = 4; i <= 7; i++) expect(await entryStored(i)).toBe(false);
    expect(await entryStored(8)).toBe(true);
    expect(logs.lowestStored(g)).toBe(8);
    // The log's own entries (from the first index on) are never deleted this way.
    await applyEntries(11, 12);
    const none = new StorageBatch();
    expect(logs.deleteArchived(none, g, 100, 100)).toBe(false);
    await none.commit(kv, { sync: false });
    expect(await entryStored(11)).toBe(true);
  });

  it('keeps the referenced entries of a log that a snapshot replaces', async () => {
    const expected = await applyEntries(1, 6);
    // Entries 7..8 arrived but are not applied; a snapshot at 50 from the leader replaces the log.
    const tail = new StorageBatch();
    logs.appendEntries(tail, g, [entryWithBatch(7, 1).entry, entryWithBatch(8, 1).entry]);
    await tail.commit(kv, { sync: true });
    const snap = new StorageBatch();
    const confState = {
      voters: [nodeId(1)],
      votersOutgoing: [],
      learners: [],
      learnersNext: [],
      autoLeave: false,
    };
    await logs.setSnapshot(
      snap,
      g,
      { metadata: { index: logIndex(50), term: term(2), confState }, data: new Uint8Array(0) },
      {},
      { from: 0, through: 6 },
    );
    await snap.commit(kv, { sync: true });
    expect(logs.bounds(g)).toEqual({ firstIndex: 51, lastIndex: 50 });
    for (let i = 1; i <= 6; i++) expect(await entryStored(i)).toBe(true);
    expect(await entryStored(7)).toBe(false);
    expect(await entryStored(8)).toBe(false);
    expect((await store.read(p, 0, 1 << 20)).batches).toEqual(expected);
    ({ logs, store } = await open());
    expect(logs.bounds(g)).toEqual({ firstIndex: 51, lastIndex: 50 });
  });

  it('stores a compacted part as copies, so the entries it was stored in can go', async () => {
    // Entries 1..10, keys k0..k5 overwritten again and again; entry 11 holds keys of its own.
    const keysOf = (index: number): string[] =>
      index === 11 ? ['x', 'y', 'z'] : [`k${index % 2}`, `k${2 + (index % 2)}`, `k${4 + (index % 2)}`];
    await applyEntries(1, 11, keysOf);
    await compactLog(11, { from: store.entryFloor(p), through: 11 });
    const pass = store.compactionPass(p, { upToOffset: 33, tombstonesBeforeOffset: 0 });
    for (let more = true; more;) more = (await pass.step()).more;
    expect(pass.completed).toBe(true);
    // Batches kept whole (the last two of the keyed run, and entry 11's) became copies too.
    for (const base of [24, 27, 30]) {
      const value = await kv.get(partitionBatchKey(p, base));
      expect(value?.[0]).toBe(0);
    }
    const read = await store.read(p, 0, 1 << 20);
    expect(read.referenced.every((r) => !r)).toBe(true);
    const keys = read.batches.flatMap((b) =>
      [...new RecordBatchView(b).records()].map((r) => new TextDecoder().decode(r.key ?? new Uint8Array())),
    );
    expect(keys.sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'x', 'y', 'z']);
    // Nothing refers to an entry any more: every archived one goes (the log's own entries stay).
    expect(await store.dropUnreferenced(p, 33)).toBeGreaterThan(0);
    expect(store.entryFloor(p)).toBe(12);
    for (let i = 1; i <= 11; i++) expect(await entryStored(i)).toBe(false);
    expect((await store.read(p, 0, 1 << 20)).batches).toEqual(read.batches);
  });

  it('raises the floor past every entry when retention leaves no reference', async () => {
    await applyEntries(1, 4);
    await compactLog(4, { from: store.entryFloor(p), through: 4 });
    const b = new StorageBatch();
    store.setLogStart(b, p, 12);
    await b.commit(kv, { sync: true });
    for (let more = true; more;) more = (await store.purgeStep(p)).more;
    expect(store.entryFloor(p)).toBe(5);
    for (let i = 1; i <= 4; i++) expect(await entryStored(i)).toBe(false);
  });

  it('reads entries the Raft log holds in memory without asking the engine', async () => {
    const expected = await applyEntries(1, 3);
    const held = new Map<number, Uint8Array>();
    for (let i = 1; i <= 3; i++) {
      held.set(i, (await logs.entries(g, logIndex(i), logIndex(i + 1), 1 << 20))[0]!.data);
    }
    const cached = new PartitionStore(kv, {
      archive: logs,
      appliedBytes: (_, index, start, end) => held.get(index)?.slice(start, end),
    });
    await cached.load(p);
    // Gone from the engine, still read from memory; and nothing else is ever served from there.
    await kv.write(new KvWriteBatch().del(raftEntryKey(g, 2)), { sync: true });
    expect((await cached.read(p, 0, 1 << 20)).batches).toEqual(expected);
    held.delete(2);
    await expect(cached.read(p, 3, 1)).rejects.toThrow(/entry 2 of group 3.*not stored/);
  });
});
