import { assert, type LogIndex, type Term } from '../../lib/index.js';
import {
  RaftStorageError,
  type ConfState,
  type Entry,
  type HardState,
  type RaftStorage,
  type Snapshot,
} from '../../raft/index.js';
import { EntryRing } from './entry-ring.js';
import { TermRuns } from './term-runs.js';

/** A group's share of the node's log cache, and the least share kept in a ring (HostConfig). */
export interface CacheOptions {
  readonly budgetBytes: number;
  readonly ringBytesMin: number;
}

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
  return { ...e, data: copyOf(data) };
}

/** A copy of `data` in memory of its own, not zeroed first. */
function copyOf(data: Uint8Array): Uint8Array {
  const copy = new Uint8Array(Buffer.allocUnsafeSlow(data.byteLength).buffer, 0, data.byteLength);
  copy.set(data);
  return copy;
}

/** Told of every entry that leaves a run: the oldest (trimmed) or the newest (a replaced suffix). */
type Leaving = (e: Entry, oldest: boolean) => void;

/** A contiguous run of entries with its data size; dropping from the front is O(1) amortized. */
class EntryRun {
  /** Slots before `head` are cleared, so an entry that left is no longer referenced. */
  private items: (Entry | undefined)[] = [];
  private head = 0;
  bytes = 0;

  constructor(private readonly leaving?: Leaving) {}

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
    this.leaving?.(e, true);
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
      this.leaving?.(e, false);
    }
  }
  /** Drops every entry at or below `index`. */
  dropThrough(index: number): void {
    while (this.length > 0 && this.lo <= index) this.shift();
  }
  /** Empties the run without telling `leaving` (its owner lets go of everything at once). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.bytes = 0;
  }
  /** Replaces every entry in place (same index, term and length). */
  replaceEach(f: (e: Entry) => Entry): void {
    for (let i = this.head; i < this.items.length; i++) this.items[i] = f(this.items[i] as Entry);
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
 *
 * A share of at least `ringBytesMin` holds its entries' data in one ring of the share's size
 * (EntryRing); a smaller one, or an entry the ring has no room for, in copies of their own. Views
 * into the ring never leave: `entries` and `appliedBytes` return copies of what it holds, so a
 * message waiting to be written or a fetch being answered keeps its bytes after the entry left.
 */
export class CachedRaftStorage implements RaftStorage {
  private hardState: HardState = { term: 0 as Term, vote: 0, commit: 0 as LogIndex };
  private snap: Snapshot = {
    metadata: { index: 0 as LogIndex, term: 0 as Term, confState: emptyConfState },
    data: new Uint8Array(),
  };
  private terms = new TermRuns();
  /** Entries [tail.lo, lastIndex]; empty when none is held. */
  private readonly tail = new EntryRun((e, oldest) => this.left(e, oldest));
  /** Where the tail's data lives while the share is at least ringBytesMin; made on first use. */
  private ring: EntryRing | undefined;
  /** Older entries read back from disk for a lagging follower. */
  private readonly readBack = new EntryRun();
  private applied = 0;
  private wanted: number | undefined;
  /** Bytes of entry data this group may hold in memory beyond what is not yet applied. */
  private budget: number;

  /** Without `ringBytesMin`, no ring: every entry is held in a copy of its own. */
  constructor(
    budgetBytes: number,
    private readonly ringBytesMin = Number.POSITIVE_INFINITY,
  ) {
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
    this.clearTail();
    this.readBack.clear();
    for (const e of tail) this.tail.push(this.keep(e));
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
      out.push(this.exported(e));
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
   * A copy of bytes [start, end) of an applied entry if it is held in memory, else undefined (also
   * when the entry is shorter). Applied entries are committed, so the one held is the one on disk
   * (and in the archive below the first index) at that index.
   */
  appliedBytes(index: number, start: number, end: number): Uint8Array | undefined {
    if (index > this.applied) return undefined;
    const e = this.tail.at(index) ?? this.readBack.at(index);
    if (e === undefined || start < 0 || start > end || end > e.data.byteLength) return undefined;
    return copyOf(e.data.subarray(start, end));
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
    this.fitRing();
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
      this.tail.push(this.keep(e));
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
      this.clearTail();
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

  /**
   * The entry as the tail holds it: its data copied into the ring, else into memory of its own. The
   * ring is as large as the share, which applied entries fill at steady state: they make room.
   */
  private keep(e: Entry): Entry {
    const ring = this.ringNow();
    const bytes = e.data.byteLength;
    if (ring === undefined || bytes === 0 || bytes > ring.capacityBytes) return owned(e);
    let data = ring.place(e.data);
    while (data === undefined && this.tail.length > 0 && this.tail.lo <= this.applied) {
      this.tail.shift();
      data = ring.place(e.data);
    }
    return data === undefined ? owned(e) : { ...e, data };
  }

  /** What a caller may keep: a copy of data the ring holds, since its slot is reused after it leaves. */
  private exported(e: Entry): Entry {
    return this.ring?.holds(e.data) === true ? { ...e, data: copyOf(e.data) } : e;
  }

  private ringNow(): EntryRing | undefined {
    if (this.ring === undefined && this.budget >= this.ringBytesMin) this.ring = new EntryRing(this.budget);
    return this.ring;
  }

  /** A ring no longer the share's size is let go: what it still holds moves to copies of its own. */
  private fitRing(): void {
    if (this.ring === undefined || this.ring.capacityBytes === this.budget) return;
    this.tail.replaceEach((e) => this.exported(e));
    this.ring = undefined;
  }

  private left(e: Entry, oldest: boolean): void {
    const ring = this.ring;
    if (ring === undefined || !ring.holds(e.data)) return;
    if (oldest) ring.releaseOldest(e.data);
    else ring.releaseNewest(e.data);
  }

  private clearTail(): void {
    this.tail.clear();
    this.ring?.clear();
  }

  private dropThrough(index: number): void {
    this.terms.compact(index);
    this.tail.dropThrough(index);
    this.readBack.dropThrough(index);
  }
}
