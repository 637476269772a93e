import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CorruptionError,
  groupId,
  logIndex,
  nodeId,
  RaftlogError,
  term,
  type GroupId,
} from '../lib/index.js';
import type { Entry, Snapshot } from '../raft/log-types.js';
import { CountingKvStore, KvWriteBatch, MemoryKvStore, RocksKvStore, type KvStore } from './kv/index.js';
import {
  raftEntryKey,
  raftHardStateKey,
  raftLogStateKey,
  raftSnapshotDataKey,
  raftSnapshotMetaKey,
} from './keys.js';
import { encodeEntry } from './raft-log-codec.js';
import { ValueWriter } from './value-codec.js';
import { LogCompactedError, LogUnavailableError } from './raft-log-errors.js';
import { RaftLogStore } from './raft-log-store.js';
import { StorageBatch } from './storage-batch.js';
import { tempRocks } from './test-helpers.js';

const g1 = groupId(1);
const g2 = groupId(2);

function entries(from: number, to: number, t: number, tag = ''): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) {
    out.push({
      index: logIndex(i),
      term: term(t),
      type: 'normal',
      data: new TextEncoder().encode(`${tag}${i}`),
    });
  }
  return out;
}

const text = (e: Entry) => new TextDecoder().decode(e.data);

async function commit(kv: KvStore, build: (b: StorageBatch) => void | Promise<void>): Promise<void> {
  const batch = new StorageBatch();
  await build(batch);
  await batch.commit(kv);
}

function snapshotAt(index: number, t: number): Snapshot {
  return {
    metadata: {
      index: logIndex(index),
      term: term(t),
      confState: {
        voters: [nodeId(1), nodeId(2)],
        votersOutgoing: [],
        learners: [nodeId(9)],
        learnersNext: [],
        autoLeave: false,
      },
    },
    data: Uint8Array.of(1, 2, 3),
  };
}

describe('RaftLogStore', () => {
  let rocks: { kv: RocksKvStore; dir: string; cleanup: () => Promise<void> };
  let kv: CountingKvStore;
  let log: RaftLogStore;

  beforeEach(async () => {
    rocks = await tempRocks();
    kv = new CountingKvStore(rocks.kv);
    log = new RaftLogStore(kv);
  });
  afterEach(() => rocks.cleanup());

  async function loadAll(...groups: GroupId[]) {
    for (const g of groups) await log.load(g);
  }

  it('lists every group with stored state, and forgets a deleted one', async () => {
    await loadAll(groupId(3), groupId(7), groupId(0));
    await commit(kv, (b) => {
      log.setHardState(b, groupId(7), { term: term(1), vote: nodeId(1), commit: logIndex(0) });
      log.setHardState(b, groupId(0), { term: term(2), vote: nodeId(1), commit: logIndex(0) });
    });
    await commit(kv, (b) =>
      log.setSnapshot(b, groupId(3), {
        metadata: {
          index: logIndex(0),
          term: term(0),
          confState: {
            voters: [nodeId(1)],
            votersOutgoing: [],
            learners: [],
            learnersNext: [],
            autoLeave: false,
          },
        },
        data: new Uint8Array(),
      }),
    );
    expect(await log.storedGroups()).toEqual([0, 3, 7]);
    await commit(kv, (b) => log.deleteGroup(b, groupId(7)));
    expect(await log.storedGroups()).toEqual([0, 3]);
  });

  it('keeps only the term and vote of a deleted group when asked, so it never votes twice', async () => {
    await loadAll(groupId(4));
    await commit(kv, (b) => {
      log.appendEntries(b, groupId(4), entries(1, 3, 5, 'x'));
      log.setHardState(b, groupId(4), { term: term(5), vote: nodeId(2), commit: logIndex(3) });
    });
    await commit(kv, (b) =>
      log.deleteGroup(b, groupId(4), { term: term(5), vote: nodeId(2), commit: logIndex(3) }),
    );
    const state = await log.load(groupId(4));
    expect(state).toMatchObject({
      hardState: { term: 5, vote: 2, commit: 0 },
      lastIndex: 0,
      snapshot: undefined,
    });
    expect(await log.storedGroups()).toEqual([4]);
  });

  it('writes many groups in one batch with one synced write', async () => {
    const groups = Array.from({ length: 50 }, (_, i) => groupId(i + 1));
    await loadAll(...groups);
    kv.reset();
    await commit(kv, (b) => {
      for (const g of groups) {
        log.appendEntries(b, g, entries(1, 3, 1, `g${g}-`));
        log.setHardState(b, g, { term: term(1), vote: nodeId(1), commit: logIndex(2) });
      }
    });
    expect(kv.counts.writes).toBe(1);
    expect(kv.counts.syncedWrites).toBe(1);
    for (const g of groups) {
      expect(log.bounds(g)).toEqual({ firstIndex: 1, lastIndex: 3 });
      expect((await log.entries(g, logIndex(1), logIndex(4), 1 << 20)).map(text)).toEqual([
        `g${g}-1`,
        `g${g}-2`,
        `g${g}-3`,
      ]);
    }
  });

  it('truncates a conflicting suffix', async () => {
    await loadAll(g1);
    await commit(kv, (b) => log.appendEntries(b, g1, entries(1, 10, 1)));
    await commit(kv, (b) => log.appendEntries(b, g1, entries(5, 6, 2, 'new')));
    expect(log.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 6 });
    const all = await log.entries(g1, logIndex(1), logIndex(7), 1 << 20);
    expect(all.map(text)).toEqual(['1', '2', '3', '4', 'new5', 'new6']);
    expect(await log.term(g1, logIndex(6))).toBe(2);
    await expect(log.term(g1, logIndex(7))).rejects.toBeInstanceOf(LogUnavailableError);
    expect(await rocks.kv.get(raftEntryKey(g1, 7))).toBeUndefined();
    expect(await rocks.kv.get(raftEntryKey(g1, 10))).toBeUndefined();
  });

  it('composes several operations on one group inside a batch', async () => {
    await loadAll(g1);
    await commit(kv, (b) => {
      log.appendEntries(b, g1, entries(1, 5, 1));
      log.appendEntries(b, g1, entries(4, 4, 2, 'x'));
      log.appendEntries(b, g1, entries(5, 7, 2, 'y'));
    });
    expect(log.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 7 });
    expect((await log.entries(g1, logIndex(1), logIndex(8), 1 << 20)).map(text)).toEqual([
      '1',
      '2',
      '3',
      'x4',
      'y5',
      'y6',
      'y7',
    ]);
  });

  it('compacts a prefix and remembers the term at the compaction point', async () => {
    await loadAll(g1);
    await commit(kv, (b) => {
      log.appendEntries(b, g1, entries(1, 5, 1));
      log.appendEntries(b, g1, entries(6, 10, 3));
    });
    await commit(kv, (b) => log.compactPrefix(b, g1, logIndex(6)));
    expect(log.bounds(g1)).toEqual({ firstIndex: 7, lastIndex: 10 });
    expect(await log.term(g1, logIndex(6))).toBe(3);
    await expect(log.term(g1, logIndex(5))).rejects.toBeInstanceOf(LogCompactedError);
    await expect(log.entries(g1, logIndex(6), logIndex(8), 100)).rejects.toBeInstanceOf(LogCompactedError);
    expect(await rocks.kv.get(raftEntryKey(g1, 6))).toBeUndefined();
    // Appending below the compaction point skips what is already compacted.
    await commit(kv, (b) => log.appendEntries(b, g1, entries(5, 11, 3, 'z')));
    expect(log.bounds(g1)).toEqual({ firstIndex: 7, lastIndex: 11 });
    expect(await rocks.kv.get(raftEntryKey(g1, 5))).toBeUndefined();
    await expect(commit(kv, (b) => log.compactPrefix(b, g1, logIndex(20)))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('compacts and truncates by point deletes, reading nothing when the caller knows the term', async () => {
    await loadAll(g1);
    await commit(kv, (b) => {
      log.appendEntries(b, g1, entries(1, 10, 1));
      log.appendEntries(b, g1, entries(11, 20, 2));
    });
    kv.reset();
    const batch = new StorageBatch();
    await log.setSnapshot(batch, g1, snapshotAt(12, 2), { logTerm: term(2) });
    await log.compactPrefix(batch, g1, logIndex(12), { logTerm: term(2) });
    // A range would make the RocksDB adapter read every key (and block) below 12 before the write.
    expect(batch.kv.ops.map((op) => op.type)).not.toContain('delRange');
    expect([kv.counts.gets, kv.counts.iterators]).toEqual([0, 0]);
    await batch.commit(kv);
    expect(log.bounds(g1)).toEqual({ firstIndex: 13, lastIndex: 20 });
    expect(await log.term(g1, logIndex(12))).toBe(2);
    for (const i of [1, 12]) expect(await rocks.kv.get(raftEntryKey(g1, i))).toBeUndefined();
    expect(await rocks.kv.get(raftEntryKey(g1, 13))).toBeDefined();

    const truncate = new StorageBatch();
    log.appendEntries(truncate, g1, entries(15, 16, 3, 'n'));
    expect(truncate.kv.ops.map((op) => op.type)).not.toContain('delRange');
    await truncate.commit(kv);
    expect(log.bounds(g1)).toEqual({ firstIndex: 13, lastIndex: 16 });
    for (const i of [17, 20]) expect(await rocks.kv.get(raftEntryKey(g1, i))).toBeUndefined();
    expect((await log.entries(g1, logIndex(15), logIndex(17), 100)).map(text)).toEqual(['n15', 'n16']);
  });

  it('reloads hard state, bounds and snapshot after reopening', async () => {
    await loadAll(g1, g2);
    await commit(kv, async (b) => {
      log.appendEntries(b, g1, entries(1, 20, 2));
      log.appendEntries(b, g2, entries(1, 3, 1));
      log.setHardState(b, g1, { term: term(2), vote: nodeId(3), commit: logIndex(15) });
      await log.setSnapshot(b, g1, snapshotAt(10, 2));
      await log.compactPrefix(b, g1, logIndex(10));
    });
    await rocks.kv.close();
    const reopened = await RocksKvStore.open(`${rocks.dir}/db`);
    rocks.kv = reopened;
    const again = new RaftLogStore(reopened);
    const s1 = await again.load(g1);
    expect(s1.hardState).toEqual({ term: 2, vote: 3, commit: 15 });
    expect([s1.firstIndex, s1.lastIndex, s1.prevTerm]).toEqual([11, 20, 2]);
    expect(s1.snapshot).toEqual(snapshotAt(10, 2).metadata);
    expect((await again.snapshot(g1))?.data).toEqual(Uint8Array.of(1, 2, 3));
    const s2 = await again.load(g2);
    expect([s2.firstIndex, s2.lastIndex, s2.snapshot]).toEqual([1, 3, undefined]);
    expect(s2.hardState).toEqual({ term: 0, vote: 0, commit: 0 });
    expect((await again.entries(g1, logIndex(11), logIndex(21), 1 << 20)).length).toBe(10);
  });

  it('keeps an agreeing log on snapshot, discards a conflicting one', async () => {
    await loadAll(g1, g2);
    await commit(kv, (b) => {
      log.appendEntries(b, g1, entries(1, 10, 1));
      log.appendEntries(b, g2, entries(1, 10, 1));
    });
    await commit(kv, async (b) => {
      await log.setSnapshot(b, g1, snapshotAt(5, 1));
      await log.setSnapshot(b, g2, snapshotAt(8, 4));
    });
    expect(log.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 10 });
    expect(log.bounds(g2)).toEqual({ firstIndex: 9, lastIndex: 8 });
    expect(await log.term(g2, logIndex(8))).toBe(4);
    await commit(kv, (b) => log.appendEntries(b, g2, entries(9, 9, 4)));
    expect(log.bounds(g2)).toEqual({ firstIndex: 9, lastIndex: 9 });
    await expect(commit(kv, (b) => log.setSnapshot(b, g2, snapshotAt(3, 1)))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('limits reads by bytes but always returns one entry', async () => {
    await loadAll(g1);
    const big = (i: number): Entry => ({
      index: logIndex(i),
      term: term(1),
      type: 'conf-change',
      data: new Uint8Array(100).fill(i),
    });
    await commit(kv, (b) => log.appendEntries(b, g1, [1, 2, 3, 4].map(big)));
    expect((await log.entries(g1, logIndex(1), logIndex(5), 10)).length).toBe(1);
    expect((await log.entries(g1, logIndex(1), logIndex(5), 250)).length).toBe(2);
    const all = await log.entries(g1, logIndex(2), logIndex(5), 1 << 20);
    expect(all.map((e) => [e.index, e.type, e.data[0]])).toEqual([
      [2, 'conf-change', 2],
      [3, 'conf-change', 3],
      [4, 'conf-change', 4],
    ]);
  });

  it('rejects gaps, unloaded groups and batches built on stale state', async () => {
    await loadAll(g1);
    await expect(commit(kv, (b) => log.appendEntries(b, g1, entries(3, 4, 1)))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    expect(() => log.appendEntries(new StorageBatch(), groupId(77), entries(1, 1, 1))).toThrow(RaftlogError);
    const stale = new StorageBatch();
    log.appendEntries(stale, g1, entries(1, 2, 1));
    await commit(kv, (b) => log.appendEntries(b, g1, entries(1, 5, 1)));
    await expect(stale.commit(kv)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(log.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 5 });
  });

  it('leaves the cached state untouched when the write fails', async () => {
    const mem = new MemoryKvStore();
    const memLog = new RaftLogStore(mem);
    await memLog.load(g1);
    mem.injectFault('write');
    await expect(commit(mem, (b) => memLog.appendEntries(b, g1, entries(1, 3, 1)))).rejects.toThrow();
    expect(memLog.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 0 });
    await commit(mem, (b) => memLog.appendEntries(b, g1, entries(1, 3, 1)));
    expect(memLog.bounds(g1)).toEqual({ firstIndex: 1, lastIndex: 3 });
  });

  it('refuses a log whose hard state commits entries it no longer holds', async () => {
    await loadAll(g1);
    await commit(kv, (b) => {
      log.appendEntries(b, g1, entries(1, 5, 1));
      log.setHardState(b, g1, { term: term(1), vote: nodeId(1), commit: logIndex(5) });
    });
    await rocks.kv.write(new KvWriteBatch().del(raftEntryKey(g1, 5)).del(raftEntryKey(g1, 4)), {
      sync: true,
    });
    await expect(log.load(g1)).rejects.toThrow(/commits index 5 but the log ends at 3/);
  });

  it('reports a corrupted entry instead of returning it', async () => {
    await loadAll(g1);
    await commit(kv, (b) => log.appendEntries(b, g1, entries(1, 3, 1)));
    const stored = (await rocks.kv.get(raftEntryKey(g1, 2)))!;
    const flipped = Uint8Array.from(stored);
    flipped[flipped.length - 6]! ^= 0x40;
    await rocks.kv.write(new KvWriteBatch().put(raftEntryKey(g1, 2), flipped), { sync: true });
    await expect(log.entries(g1, logIndex(1), logIndex(4), 1 << 20)).rejects.toBeInstanceOf(CorruptionError);
    await expect(log.term(g1, logIndex(2))).rejects.toBeInstanceOf(CorruptionError);
    await rocks.kv.write(new KvWriteBatch().del(raftEntryKey(g1, 2)), { sync: true });
    await expect(log.entries(g1, logIndex(1), logIndex(4), 1 << 20)).rejects.toBeInstanceOf(CorruptionError);
  });

  async function flipStored(key: Uint8Array, at: (length: number) => number): Promise<void> {
    const flipped = Uint8Array.from((await rocks.kv.get(key))!);
    flipped[at(flipped.length)]! ^= 0x01;
    await rocks.kv.write(new KvWriteBatch().put(key, flipped), { sync: true });
  }

  it('reports a flipped byte in hard state, log state or snapshot as corruption on every read path', async () => {
    const cases: [string, Uint8Array, () => Promise<unknown>][] = [
      ['hard state', raftHardStateKey(g1), () => log.load(g1)],
      ['log state', raftLogStateKey(g1), () => log.load(g1)],
      ['snapshot metadata', raftSnapshotMetaKey(g1), () => log.load(g1)],
      ['snapshot metadata', raftSnapshotMetaKey(g1), () => log.snapshot(g1)],
      ['snapshot data', raftSnapshotDataKey(g1), () => log.snapshot(g1)],
    ];
    for (const [what, key, read] of cases) {
      for (const at of [() => 1, (n: number) => n - 1]) {
        await loadAll(g1);
        await commit(kv, (b) => log.appendEntries(b, g1, entries(1, 5, 1)));
        await commit(kv, async (b) => {
          log.setHardState(b, g1, { term: term(1), vote: nodeId(1), commit: logIndex(5) });
          await log.setSnapshot(b, g1, snapshotAt(3, 1));
          await log.compactPrefix(b, g1, logIndex(2));
        });
        await expect(read()).resolves.toBeDefined();
        await flipStored(key, at);
        const error = await read().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error, what).toBeInstanceOf(CorruptionError);
        expect((error as Error).message).toMatch(/stored .*: checksum mismatch/);
        await commit(kv, (b) => log.deleteGroup(b, g1));
      }
    }
  });

  it('binds an entry to its key: a valid entry stored under another index is corruption', async () => {
    await loadAll(g1);
    await commit(kv, (b) => log.appendEntries(b, g1, entries(1, 3, 1)));
    // Entry 3's value, intact, written where entry 2 belongs (a misdirected write).
    await rocks.kv.write(
      new KvWriteBatch().put(raftEntryKey(g1, 2), (await rocks.kv.get(raftEntryKey(g1, 3)))!),
      { sync: true },
    );
    await expect(log.term(g1, logIndex(2))).rejects.toThrow(/stored raft entry 2: checksum mismatch/);
    await expect(log.entries(g1, logIndex(1), logIndex(4), 1 << 20)).rejects.toBeInstanceOf(CorruptionError);
  });

  it('still reads entries written before their checksum covered the key', async () => {
    await loadAll(g1);
    const e = entries(1, 1, 4, 'old')[0]!;
    const old = new ValueWriter(1 + 8 + e.data.length).u8(0).u64(e.term).raw(e.data).finish();
    await rocks.kv.write(new KvWriteBatch().put(raftEntryKey(g1, 1), old), { sync: true });
    const reloaded = new RaftLogStore(rocks.kv);
    await reloaded.load(g1);
    const [read] = await reloaded.entries(g1, logIndex(1), logIndex(2), 1 << 20);
    expect([read!.index, read!.term, read!.type]).toEqual([e.index, e.term, e.type]);
    expect(text(read!)).toBe('old1');
    expect(encodeEntry(e, raftEntryKey(g1, 1))[0]).toBe(2);
  });
});
