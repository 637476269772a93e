import type { LogIndex, Term } from '../lib/index.js';
import type { ConfState, Entry, HardState, Snapshot } from './log-types.js';

/** What the core reads of the durable log. Entries the core has not yet handed out live in memory. */
export interface RaftStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries [lo, hi), at least one if lo < hi, then up to bytesMax of entry data. */
  entries(lo: LogIndex, hi: LogIndex, bytesMax: number): Entry[];
  /** Valid for firstIndex - 1 ..= lastIndex; throws RaftStorageError otherwise. */
  term(index: LogIndex): Term;
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  snapshot(): Snapshot;
}

export class RaftStorageError extends Error {
  override readonly name = 'RaftStorageError';
  constructor(
    readonly reason: 'compacted' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}
