import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { LogIndex, Term } from '../../lib/index.js';
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
