import { assert, type LogIndex, type Term } from '../../lib/index.js';
import {
  RaftStorageError,
  type ConfState,
  type Entry,
  type HardState,
  type RaftStorage,
  type Snapshot,
} from '../../raft/index.js';
import { TermRuns } from './term-runs.js';

const emptyConfState: ConfState = {
  voters: [],
  votersOutgoing: [],
  learners: [],
  learnersNext: [],
  autoLeave: false,
};

/**
 * The entry with data that owns its memory. Entries decoded from a message (or proposed from a
 * request) are views into the whole received buffer; one cached view would keep that buffer alive,
 * so the memory held could be many times the bytes counted against the budget.
 */
function owned(e: Entry): Entry {
  const { data } = e;
  if (data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) return e;
  return { ...e, data: new Uint8Array(data) };
}

/** A contiguous run of entries with its data size; dropping from the front is O(1) amortized. */
class EntryRun {
  /** Slots before `head` are cleared, so an entry that left is no longer referenced. */
  private items: (Entry | undefined)[] = [];
  private head = 0;
  bytes = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  /** Index of the first entry (meaningless when empty). */
  get lo(): number {
    return this.items[this.head]?.index ?? 0;
  }
  /** One past the last entry (meaningless when empty). */
  get hi(): number {
    return this.lo + this.length;
  }
  at(index: number): Entry | undefined {
    if (this.length === 0 || index < this.lo || index >= this.hi) return undefined;
    return this.items[this.head + index - this.lo];
  }
  push(e: Entry): void {
    assert(this.length === 0 || e.index === this.hi, `entry ${e.index} does not follow ${this.hi - 1}`);
    this.items.push(e);
    this.bytes += e.data.byteLength;
  }
  shift(): void {
    const e = this.items[this.head] as Entry;
    this.items[this.head++] = undefined;
    this.bytes -= e.data.byteLength;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
  /** Drops every entry at or after `index`. */
  truncateFrom(index: number): void {
    while (this.length > 0 && this.hi > index) {
      const e = this.items.pop() as Entry;
      this.bytes -= e.data.byteLength;
    }
  }
  /** Drops every entry at or below `index`. */
  dropThrough(index: number): void {
    while (this.length > 0 && this.lo <= index) this.shift();
  }
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
}

/**
 * A group's durable Raft log as the synchronous core sees it, holding only a tail in memory.
 *
 * Every index in [firstIndex - 1, lastIndex] has its term here (TermRuns), but entry payloads are
 * kept only for the tail: entries not yet applied always (the core applies them and proposers
 * speculate on them), and applied ones while the tail fits `budgetBytes`. Older entries stay in
 * RocksDB. When a leader needs them for a lagging follower, `entries` throws
 * RaftStorageError('not-loaded') and records what it wanted; the host reads that range back
 * (`takeWanted`, then `fillReadBack`) into a small read-back window and the core retries on the
 * follower's next heartbeat response.
 */
export class CachedRaftStorage implements RaftStorage {
  private hardState: HardState = { term: 0 as Term, vote: 0, commit: 0 as LogIndex };
  private snap: Snapshot = {
    metadata: { index: 0 as LogIndex, term: 0 as Term, confState: emptyConfState },
    data: new Uint8Array(),
  };
  private terms = new TermRuns();
  /** Entries [tail.lo, lastIndex]; empty when none is held. */
  private readonly tail = new EntryRun();
  /** Older entries read back from disk for a lagging follower. */
  private readonly readBack = new EntryRun();
  private applied = 0;
  private wanted: number | undefined;
  /** Bytes of entry data this group may hold in memory beyond what is not yet applied. */
  private budget: number;

  constructor(budgetBytes: number) {
    this.budget = budgetBytes;
    this.terms.reset(0, 0);
  }

  /** Gives a brand-new log its first configuration (the voters a new cluster starts with). */
  bootstrap(confState: ConfState): void {
    assert(this.lastIndex() === 0 && this.snap.metadata.index === 0, 'bootstrap of a log that is not empty');
    this.snap = { ...this.snap, metadata: { ...this.snap.metadata, confState } };
  }

  /**
   * Starts from what is on disk: the log spans [prev.index + 1, lastIndex] with the given term runs,
   * and `tail` (entries up to lastIndex) is the part held in memory.
   */
  restore(snapshot: Snapshot | undefined, terms: TermRuns, tail: readonly Entry[], applied: number): void {
    if (snapshot !== undefined) this.snap = snapshot;
    this.terms = terms;
    this.tail.clear();
    this.readBack.clear();
    for (const e of tail) this.tail.push(owned(e));
    assert(tail.length === 0 || this.tail.hi === this.lastIndex() + 1, 'loaded tail does not end the log');
    this.applied = applied;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  firstIndex(): LogIndex {
    return (this.terms.first + 1) as LogIndex;
  }

  lastIndex(): LogIndex {
    return this.terms.lastIndex as LogIndex;
  }

  term(index: LogIndex): Term {
    if (index < this.terms.first) throw new RaftStorageError('compacted', `index ${index} is compacted`);
    const t = this.terms.termAt(index);
    if (t === undefined) throw new RaftStorageError('unavailable', `index ${index} is beyond the log`);
    return t as Term;
  }

  entries(lo: LogIndex, hi: LogIndex, bytesMax: number): Entry[] {
    if (lo <= this.terms.first) throw new RaftStorageError('compacted', `index ${lo} is compacted`);
    if (hi > this.lastIndex() + 1)
      throw new RaftStorageError('unavailable', `index ${hi - 1} is beyond the log`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i: number = lo; i < hi; i++) {
      const e = this.tail.at(i) ?? this.readBack.at(i);
      if (e === undefined) break;
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(e);
    }
    if (out.length === 0 && lo < hi) {
      assert(lo <= this.applied, `entry ${lo} is not applied yet but not in memory`);
      this.wanted = lo;
      throw new RaftStorageError('not-loaded', `entry ${lo} is on disk only`);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Bytes of entry data held in memory (tail and read-back window). */
  cachedBytes(): number {
    return this.tail.bytes + this.readBack.bytes;
  }

  /**
   * An applied entry if it is held in memory, else undefined. Applied entries are committed, so the
   * one held is the one on disk (and in the archive below the first index) at that index.
   */
  appliedEntry(index: number): Entry | undefined {
    if (index > this.applied) return undefined;
    return this.tail.at(index) ?? this.readBack.at(index);
  }

  /** The first index held in memory as the tail (lastIndex + 1 when none). */
  tailFirstIndex(): number {
    return this.tail.length === 0 ? this.lastIndex() + 1 : this.tail.lo;
  }

  /** The first index a leader asked for and did not find, once; undefined when nothing is wanted. */
  takeWanted(): number | undefined {
    const w = this.wanted;
    this.wanted = undefined;
    return w;
  }

  /**
   * Installs entries read back from disk (a contiguous run), replacing the previous window. Entries
   * no longer in the log, or whose term changed since the read started, are ignored.
   */
  fillReadBack(entries: readonly Entry[], bytesMax: number): void {
    this.readBack.clear();
    for (const e of entries) {
      if (e.index <= this.terms.first || e.index >= this.tailFirstIndex()) break;
      if (this.terms.termAt(e.index) !== e.term) break;
      if (this.readBack.length > 0 && this.readBack.bytes + e.data.byteLength > bytesMax) break;
      this.readBack.push(owned(e));
    }
  }

  get budgetBytes(): number {
    return this.budget;
  }

  /**
   * A new share of the node's log cache. A smaller one trims at once: an idle group applies nothing
   * more, so waiting for its next apply would keep its old share for good, and every topic created
   * after it would push the node past its cache bound.
   */
  set budgetBytes(bytes: number) {
    this.budget = bytes;
    this.trim();
  }

  /** Entries up to `index` are applied: they may leave memory once the tail is over budget. */
  appliedTo(index: number): void {
    this.applied = Math.max(this.applied, index);
    this.trim();
  }

  private trim(): void {
    const limit = Math.max(0, this.budget - this.readBack.bytes);
    while (this.tail.length > 0 && this.tail.lo <= this.applied && this.tail.bytes > limit) this.tail.shift();
  }

  /** Appends entries, first dropping any stored suffix they replace. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(
      first.index <= this.lastIndex() + 1,
      `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    // Entries at or below the compaction point are committed and already covered by it.
    const fresh = entries.filter((e) => e.index > this.terms.first);
    const head = fresh[0];
    if (head === undefined) return;
    assert(head.index > this.applied, `append at ${head.index} would replace applied entries`);
    this.tail.truncateFrom(head.index);
    this.readBack.truncateFrom(head.index);
    for (const e of fresh) {
      this.terms.append(e.index, e.term);
      this.tail.push(owned(e));
    }
  }

  /** Replaces the log by a snapshot, keeping entries that agree with it. */
  applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    if (index <= this.snap.metadata.index) return;
    const agrees = index <= this.lastIndex() && this.terms.termAt(index) === term;
    this.snap = snapshot;
    if (agrees) {
      this.dropThrough(index);
    } else {
      this.terms.reset(index, term);
      this.tail.clear();
      this.readBack.clear();
    }
    this.applied = Math.max(this.applied, index);
  }

  /** Records the application's snapshot at an applied index (does not compact). */
  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    assert(
      index > this.snap.metadata.index,
      `snapshot at ${index} is not newer than ${this.snap.metadata.index}`,
    );
    assert(index <= this.lastIndex(), `snapshot at ${index} is beyond the log`);
    this.snap = { metadata: { index, term: this.term(index), confState }, data };
    return this.snap;
  }

  /** Drops entries up to and including `index`. */
  compact(index: LogIndex): void {
    if (index <= this.terms.first) return;
    assert(index <= this.lastIndex(), `compact at ${index} is beyond the log`);
    this.dropThrough(index);
  }

  private dropThrough(index: number): void {
    this.terms.compact(index);
    this.tail.dropThrough(index);
    this.readBack.dropThrough(index);
  }
}
