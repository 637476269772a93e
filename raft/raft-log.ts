import { assert, type LogIndex } from '../lib/index.js';
import type { Entry, Snapshot } from './log-types.js';
import { RaftStorageError, type RaftStorage } from './raft-storage.js';

/**
 * The log as the core sees it: durable entries in storage, followed by `unstable` entries (and
 * perhaps a snapshot) that are not yet handed out or not yet acknowledged as durable by advance().
 */
export class RaftLog {
  committed: number;
  applied: number;
  unstableSnapshot: Snapshot | undefined;
  unstable: Entry[] = [];
  /** Index of unstable[0]. */
  offset: number;

  constructor(
    readonly storage: RaftStorage,
    applied: number,
  ) {
    const first = storage.firstIndex();
    this.offset = storage.lastIndex() + 1;
    this.committed = Math.max(storage.initialState().hardState.commit, first - 1);
    this.applied = Math.max(applied, first - 1);
    assert(this.applied <= this.committed, `applied ${this.applied} is above commit ${this.committed}`);
  }

  firstIndex(): number {
    return this.unstableSnapshot ? this.unstableSnapshot.metadata.index + 1 : this.storage.firstIndex();
  }

  lastIndex(): number {
    if (this.unstable.length > 0) return this.offset + this.unstable.length - 1;
    if (this.unstableSnapshot) return this.unstableSnapshot.metadata.index;
    return this.storage.lastIndex();
  }

  /** The last index known durable: what storage holds. */
  stableLastIndex(): number {
    return this.offset - 1;
  }

  /** The term at `index`, or undefined when compacted or beyond the log. */
  term(index: number): number | undefined {
    if (index >= this.offset) return this.unstable[index - this.offset]?.term;
    const snap = this.unstableSnapshot;
    if (snap) return index === snap.metadata.index ? snap.metadata.term : undefined;
    try {
      return this.storage.term(index as LogIndex);
    } catch (error) {
      if (error instanceof RaftStorageError) return undefined;
      throw error;
    }
  }

  lastTerm(): number {
    return this.term(this.lastIndex()) ?? 0;
  }

  matchTerm(index: number, term: number): boolean {
    return this.term(index) === term;
  }

  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /**
   * Entries [lo, hi) up to bytesMax (at least one), or undefined when lo is compacted. Each entry
   * counts its data plus `entryOverheadBytes`, so what a transport adds per entry stays in the budget
   * and entries without data (a leader's no-op) cannot pile up without bound. Throws the storage's
   * RaftStorageError('not-loaded') when storage must read them back first.
   */
  slice(lo: number, hi: number, bytesMax: number, entryOverheadBytes = 0): Entry[] | undefined {
    if (lo >= hi) return [];
    if (lo < this.firstIndex()) return undefined;
    const out: Entry[] = [];
    let bytes = 0;
    const fits = (e: Entry): boolean =>
      out.length === 0 || bytes + e.data.byteLength + entryOverheadBytes <= bytesMax;
    const take = (e: Entry): void => {
      out.push(e);
      bytes += e.data.byteLength + entryOverheadBytes;
    };
    const stableHi = Math.min(hi, this.offset);
    if (lo < stableHi) {
      try {
        // Storage counts data only, so it returns at least what fits here.
        const stored = this.storage.entries(lo as LogIndex, stableHi as LogIndex, bytesMax);
        for (const e of stored) {
          if (!fits(e)) return out;
          take(e);
        }
        if (stored.length < stableHi - lo) return out;
      } catch (error) {
        if (error instanceof RaftStorageError && error.reason !== 'not-loaded') return undefined;
        throw error;
      }
    }
    for (let i = Math.max(lo, this.offset); i < hi; i++) {
      const e = this.unstable[i - this.offset];
      if (e === undefined || !fits(e)) break;
      take(e);
    }
    return out;
  }

  /**
   * The follower's append: on a match at (index, logTerm) adds the entries, truncating a conflicting
   * suffix, and returns the last new index; undefined on a mismatch.
   */
  maybeAppend(
    index: number,
    logTerm: number,
    committed: number,
    entries: readonly Entry[],
  ): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = entries.findIndex((e) => !this.matchTerm(e.index, e.term));
    if (conflict >= 0) {
      const from = entries[conflict] as Entry;
      assert(from.index > this.committed, `conflict at ${from.index} is below commit ${this.committed}`);
      this.append(entries.slice(conflict));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    const after = first.index;
    assert(after > this.committed, `append at ${after} would rewrite committed ${this.committed}`);
    if (after === this.offset + this.unstable.length) {
      this.unstable.push(...entries);
    } else if (after <= this.offset) {
      // Replaces durable entries too: the caller's storage truncates them when it appends these.
      this.offset = after;
      this.unstable = [...entries];
    } else {
      this.unstable = [...this.unstable.slice(0, after - this.offset), ...entries];
    }
  }

  commitTo(index: number): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} is beyond the last index ${this.lastIndex()}`);
    this.committed = index;
  }

  restore(snapshot: Snapshot): void {
    this.unstableSnapshot = snapshot;
    this.unstable = [];
    this.offset = snapshot.metadata.index + 1;
    this.committed = snapshot.metadata.index;
  }

  /** The entries up to (index, term) are durable now; stale acknowledgements are ignored. */
  stableTo(index: number, term: number): void {
    if (index < this.offset || this.term(index) !== term) return;
    this.unstable = this.unstable.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapshotTo(index: number): void {
    if (this.unstableSnapshot?.metadata.index === index) this.unstableSnapshot = undefined;
  }

  /**
   * Largest index <= `index` whose term is <= `term`: where a follower's log and a leader's may
   * agree, which lets a rejection skip a whole term at once.
   */
  findConflictByTerm(index: number, term: number): number {
    for (let i = Math.min(index, this.lastIndex()); i >= this.firstIndex() - 1 && i > 0; i--) {
      const t = this.term(i);
      if (t === undefined || t <= term) return i;
    }
    return Math.max(0, this.firstIndex() - 1);
  }
}
