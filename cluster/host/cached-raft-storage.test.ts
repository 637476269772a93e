import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../../lib/index.js';
import type { Entry } from '../../raft/index.js';
import { CachedRaftStorage } from './cached-raft-storage.js';
import { TermRuns } from './term-runs.js';

const entryBytes = 4 * 1024;
/** What one decoded AppendEntries message or produce request may be: much larger than one entry. */
const messageBytes = 1024 * 1024;
const budgetBytes = 64 * 1024;

/** An entry whose data is a view into its own large message buffer, as a decoder returns it. */
function viewEntry(index: number): Entry {
  const message = new Uint8Array(messageBytes);
  message.fill(index & 0xff, 100, 100 + entryBytes);
  return {
    term: 1 as Term,
    index: index as LogIndex,
    type: 'normal',
    data: message.subarray(100, 100 + entryBytes),
  };
}

/** Bytes of the distinct buffers the held entries keep alive. */
function retainedBytes(storage: CachedRaftStorage): number {
  const lo = storage.tailFirstIndex() as LogIndex;
  const hi = (storage.lastIndex() + 1) as LogIndex;
  const buffers = new Set<ArrayBufferLike>();
  for (const e of storage.entries(lo, hi, Number.MAX_SAFE_INTEGER)) buffers.add(e.data.buffer);
  let bytes = 0;
  for (const b of buffers) bytes += b.byteLength;
  return bytes;
}

describe('CachedRaftStorage memory', () => {
  it('holds no more memory than its budget when entries are views into large messages', () => {
    const storage = new CachedRaftStorage(budgetBytes);
    for (let i = 1; i <= 200; i++) {
      storage.append([viewEntry(i)]);
      storage.appliedTo(i);
    }
    expect(storage.cachedBytes()).toBeLessThanOrEqual(budgetBytes);
    expect(retainedBytes(storage)).toBeLessThanOrEqual(budgetBytes + entryBytes);
    // The copies keep the data.
    const last = storage.entries(200 as LogIndex, 201 as LogIndex, Number.MAX_SAFE_INTEGER)[0];
    expect(last?.data.byteLength).toBe(entryBytes);
    expect(last?.data.every((b) => b === 200)).toBe(true);
  });

  it('gives memory back as soon as its share shrinks, without another apply (an idle group)', () => {
    const storage = new CachedRaftStorage(budgetBytes);
    for (let i = 1; i <= 40; i++) storage.append([viewEntry(i)]);
    storage.appliedTo(40);
    expect(storage.cachedBytes()).toBeGreaterThan(budgetBytes / 2);
    expect(storage.cachedBytes()).toBeLessThanOrEqual(budgetBytes);
    // More groups on the node: this one's share is a quarter now, and it applies nothing more.
    storage.budgetBytes = budgetBytes / 4;
    expect(storage.cachedBytes()).toBeLessThanOrEqual(budgetBytes / 4);
    expect(storage.lastIndex()).toBe(40);
  });

  it('does not pin message buffers through entries not applied yet or loaded at start', () => {
    const storage = new CachedRaftStorage(budgetBytes);
    const terms = new TermRuns();
    terms.reset(0, 0);
    const loaded = [1, 2, 3, 4].map(viewEntry);
    for (const e of loaded) terms.append(e.index, e.term);
    storage.restore(undefined, terms, loaded, 0);
    for (let i = 5; i <= 20; i++) storage.append([viewEntry(i)]);
    expect(retainedBytes(storage)).toBe(20 * entryBytes);
  });
});

/** A full collection, so a WeakRef reports whether anything still references its target. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('CachedRaftStorage releases what leaves memory', () => {
  it('keeps no reference to an applied entry dropped for the budget', async () => {
    const gc = collectGarbage();
    const storage = new CachedRaftStorage(budgetBytes);
    const dropped: WeakRef<Uint8Array>[] = [];
    for (let i = 1; i <= 100; i++) {
      const data = new Uint8Array(entryBytes).fill(i);
      if (i <= 50) dropped.push(new WeakRef(data));
      storage.append([{ term: 1 as Term, index: i as LogIndex, type: 'normal', data }]);
      storage.appliedTo(i);
    }
    expect(storage.tailFirstIndex()).toBeGreaterThan(50);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(dropped.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });
});

describe('CachedRaftStorage holding its tail in a ring', () => {
  const ringBudgetBytes = 10 * entryBytes;

  function filled(index: number, term = 1): Entry {
    const data = new Uint8Array(entryBytes).fill(index & 0xff);
    new DataView(data.buffer).setUint32(0, index * 7 + term);
    return { term: term as Term, index: index as LogIndex, type: 'normal', data };
  }

  function expectData(e: Entry | undefined, index: number, term = 1): void {
    expect(e?.index).toBe(index);
    expect(e && Buffer.from(e.data).equals(Buffer.from(filled(index, term).data))).toBe(true);
  }

  function all(storage: CachedRaftStorage): Entry[] {
    const lo = storage.tailFirstIndex() as LogIndex;
    return storage.entries(lo, (storage.lastIndex() + 1) as LogIndex, Number.MAX_SAFE_INTEGER);
  }

  it('hands out copies that keep their bytes after the ring reuses their slots', () => {
    const storage = new CachedRaftStorage(ringBudgetBytes, entryBytes);
    const kept: Entry[] = [];
    for (let i = 1; i <= 100; i++) {
      storage.append([filled(i)]);
      kept.push(...storage.entries(i as LogIndex, (i + 1) as LogIndex, Number.MAX_SAFE_INTEGER));
      storage.appliedTo(i);
      const applied = storage.appliedBytes(i, 0, entryBytes);
      expect(applied && Buffer.from(applied).equals(Buffer.from(filled(i).data))).toBe(true);
      applied?.fill(0); // a caller scribbling on its copy changes nothing held
      expect(
        Buffer.from(storage.appliedBytes(i, 8, 16) ?? []).equals(Buffer.from(filled(i).data.subarray(8, 16))),
      ).toBe(true);
      expect(storage.appliedBytes(i, 0, entryBytes + 1)).toBeUndefined();
    }
    kept.forEach((e, i) => expectData(e, i + 1));
    const held = all(storage);
    expect(held.length).toBeGreaterThanOrEqual(9);
    for (const e of held) expectData(e, e.index);
    expect(storage.cachedBytes()).toBeLessThanOrEqual(ringBudgetBytes);
  });

  it('keeps entries not yet applied beyond the ring, in copies of their own', () => {
    const storage = new CachedRaftStorage(ringBudgetBytes, entryBytes);
    for (let i = 1; i <= 30; i++) storage.append([filled(i)]);
    expect(storage.cachedBytes()).toBe(30 * entryBytes);
    storage.appliedTo(30);
    for (let i = 31; i <= 60; i++) {
      storage.append([filled(i)]);
      storage.appliedTo(i);
    }
    for (const e of all(storage)) expectData(e, e.index);
    expect(
      Buffer.from(storage.appliedBytes(60, 0, entryBytes) ?? []).equals(Buffer.from(filled(60).data)),
    ).toBe(true);
  });

  it('replaces a conflicting suffix and reuses its slots', () => {
    const storage = new CachedRaftStorage(ringBudgetBytes, entryBytes);
    for (let i = 1; i <= 8; i++) storage.append([filled(i)]);
    storage.appliedTo(4);
    storage.append([filled(6, 2), filled(7, 2)]);
    for (let i = 8; i <= 12; i++) {
      storage.append([filled(i, 2)]);
      storage.appliedTo(i - 2);
    }
    for (const e of all(storage)) expectData(e, e.index, e.index < 6 ? 1 : 2);
    expect(storage.lastIndex()).toBe(12);
  });

  it('moves what it holds to copies when its share changes, and keeps serving it', () => {
    const storage = new CachedRaftStorage(ringBudgetBytes, entryBytes);
    for (let i = 1; i <= 20; i++) {
      storage.append([filled(i)]);
      storage.appliedTo(i);
    }
    storage.budgetBytes = ringBudgetBytes / 2;
    for (const e of all(storage)) expectData(e, e.index);
    expect(storage.cachedBytes()).toBeLessThanOrEqual(ringBudgetBytes / 2);
    for (let i = 21; i <= 40; i++) {
      storage.append([filled(i)]);
      storage.appliedTo(i);
    }
    for (const e of all(storage)) expectData(e, e.index);
    // Below the least share kept in a ring: copies only.
    storage.budgetBytes = entryBytes / 2;
    storage.append([filled(41)]);
    expectData(storage.entries(41 as LogIndex, 42 as LogIndex, Number.MAX_SAFE_INTEGER)[0], 41);
  });

  it('starts from a loaded tail, compacts and takes a snapshot that disagrees', () => {
    const storage = new CachedRaftStorage(ringBudgetBytes, entryBytes);
    const terms = new TermRuns();
    terms.reset(0, 0);
    const loaded = [1, 2, 3, 4, 5].map((i) => filled(i));
    for (const e of loaded) terms.append(e.index, e.term);
    storage.restore(undefined, terms, loaded, 0);
    for (let i = 6; i <= 15; i++) storage.append([filled(i)]);
    storage.appliedTo(15);
    storage.compact(12 as LogIndex);
    for (const e of all(storage)) expectData(e, e.index);
    expect(storage.tailFirstIndex()).toBe(13);
    const confState = {
      voters: [1 as NodeId],
      votersOutgoing: [],
      learners: [],
      learnersNext: [],
      autoLeave: false,
    };
    storage.applySnapshot({
      metadata: { index: 30 as LogIndex, term: 3 as Term, confState },
      data: new Uint8Array(),
    });
    for (let i = 31; i <= 50; i++) {
      storage.append([filled(i, 3)]);
      storage.appliedTo(i);
    }
    for (const e of all(storage)) expectData(e, e.index, 3);
  });
});
