import { assert, type LogIndex, type Term } from '../lib/index.js';
import type { ConfState, Entry, HardState, Snapshot } from './log-types.js';
import { RaftStorageError, type RaftStorage } from './raft-storage.js';

const emptyConfState: ConfState = {
  voters: [],
  votersOutgoing: [],
  learners: [],
  learnersNext: [],
  autoLeave: false,
};

/**
 * The in-memory mirror of what is durable: the caller updates it after persisting each Ready.
 * `entries[0]` is a dummy holding the snapshot's index and term, so term(firstIndex - 1) works.
 */
export class MemoryRaftStorage implements RaftStorage {
  private hardState: HardState = { term: 0 as Term, vote: 0, commit: 0 as LogIndex };
  private snap: Snapshot = {
    metadata: { index: 0 as LogIndex, term: 0 as Term, confState: emptyConfState },
    data: new Uint8Array(),
  };
  private ents: Entry[] = [{ term: 0 as Term, index: 0 as LogIndex, type: 'normal', data: new Uint8Array() }];

  /** Gives a brand-new log its first configuration (the voters a new cluster starts with). */
  bootstrap(confState: ConfState): void {
    assert(this.lastIndex() === 0 && this.snap.metadata.index === 0, 'bootstrap of a log that is not empty');
    this.snap = { ...this.snap, metadata: { ...this.snap.metadata, confState } };
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.hardState, confState: this.snap.metadata.confState };
  }

  setHardState(hardState: HardState): void {
    this.hardState = hardState;
  }

  private get offset(): number {
    return (this.ents[0] as Entry).index;
  }

  firstIndex(): LogIndex {
    return (this.offset + 1) as LogIndex;
  }

  lastIndex(): LogIndex {
    return (this.offset + this.ents.length - 1) as LogIndex;
  }

  term(index: LogIndex): Term {
    if (index < this.offset) throw new RaftStorageError('compacted', `index ${index} is compacted`);
    const e = this.ents[index - this.offset];
    if (e === undefined) throw new RaftStorageError('unavailable', `index ${index} is beyond the log`);
    return e.term;
  }

  entries(lo: LogIndex, hi: LogIndex, bytesMax: number): Entry[] {
    if (lo <= this.offset) throw new RaftStorageError('compacted', `index ${lo} is compacted`);
    if (hi > this.lastIndex() + 1)
      throw new RaftStorageError('unavailable', `index ${hi - 1} is beyond the log`);
    const out: Entry[] = [];
    let bytes = 0;
    for (let i = lo; i < hi; i++) {
      const e = this.ents[i - this.offset] as Entry;
      bytes += e.data.byteLength;
      if (out.length > 0 && bytes > bytesMax) break;
      out.push(e);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /** Appends entries, first dropping any stored suffix they replace. */
  append(entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    assert(
      first.index <= this.lastIndex() + 1,
      `append at ${first.index} leaves a gap after ${this.lastIndex()}`,
    );
    // Entries at or below the snapshot are committed and already covered by it.
    const fresh = first.index <= this.offset ? entries.slice(this.offset + 1 - first.index) : entries;
    const head = fresh[0];
    if (head === undefined) return;
    this.ents = this.ents.slice(0, head.index - this.offset).concat(fresh);
  }

  /** Replaces the log by a snapshot, keeping entries that agree with it. */
  applySnapshot(snapshot: Snapshot): void {
    const { index, term } = snapshot.metadata;
    if (index <= this.snap.metadata.index) return;
    const keep =
      index <= this.lastIndex() && this.term(index) === term ? this.ents.slice(index - this.offset + 1) : [];
    this.snap = snapshot;
    this.ents = [{ term, index, type: 'normal', data: new Uint8Array() }, ...keep];
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
    if (index <= this.offset) return;
    assert(index <= this.lastIndex(), `compact at ${index} is beyond the log`);
    this.ents = this.ents.slice(index - this.offset);
    const dummy = this.ents[0] as Entry;
    this.ents[0] = { term: dummy.term, index: dummy.index, type: 'normal', data: new Uint8Array() };
  }
}
