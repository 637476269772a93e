import type { LogIndex, Term } from '../lib/index.js';
import type { ConfState, Entry, HardState, Snapshot } from './log-types.js';

/** What the core reads of the durable log. Entries the core has not yet handed out live in memory. */
export interface RaftStorage {
  initialState(): { hardState: HardState; confState: ConfState };
  /**
   * Entries [lo, hi), at least one if lo < hi, then up to bytesMax of entry data. A storage that keeps
   * only part of its durable log in memory throws RaftStorageError('not-loaded') for entries it must
   * first read back: the core then sends nothing to that follower and asks again later (on its next
   * heartbeat response). Entries not yet applied must always be served.
   */
  entries(lo: LogIndex, hi: LogIndex, bytesMax: number): Entry[];
  /** Valid for firstIndex - 1 ..= lastIndex; throws RaftStorageError otherwise. */
  term(index: LogIndex): Term;
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  snapshot(): Snapshot;
}

/**
 * compacted: below the first index (send a snapshot instead); unavailable: beyond the last index;
 * not-loaded: durable, but not in memory yet (the storage's owner is reading it back).
 */
export class RaftStorageError extends Error {
  override readonly name = 'RaftStorageError';
  constructor(
    readonly reason: 'compacted' | 'unavailable' | 'not-loaded',
    message: string,
  ) {
    super(message);
  }
}
