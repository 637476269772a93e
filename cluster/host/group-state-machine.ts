import type { Entry, Snapshot } from '../../raft/index.js';
import type { RetainedEntries, StorageBatch } from '../../storage/index.js';

/**
 * What a Raft group replicates: the controller's metadata or one partition. The host calls it from
 * its ready cycle, in log order, on every replica alike.
 */
export interface GroupStateMachine {
  /** Applies one committed normal entry, staging its writes in `batch`; the result goes to the proposer. */
  apply(entry: Entry, batch: StorageBatch): unknown;
  /**
   * Stages, in the same batch, writes that need reads (e.g. deleting what retention dropped), after
   * the entries of this cycle were applied.
   */
  stage?(batch: StorageBatch): Promise<void>;
  /**
   * Applied entries the state machine still reads from the log (a partition's batches stored as
   * references): compaction and snapshot installs keep them. Absent: the log may drop any of them.
   */
  retainedEntries?(): RetainedEntries;
  /** Records an entry without a command (a new leader's empty entry, a membership change). */
  skip(index: number): void;
  /** Replaces the state by a snapshot's (on install, or on load when the log starts after one). */
  restore(snapshot: Snapshot): void;
  /** The applied state, for a snapshot at the applied index. */
  snapshotData(): Uint8Array;
  /**
   * While true the host holds this group's Ready (nothing persisted, sent or applied), e.g. while a
   * partition fetches record data a snapshot install skipped. Raft's in-flight window bounds what
   * piles up meanwhile.
   */
  readonly blocked: boolean;
  /**
   * Proposers hear an applied result as soon as it is computed, while the write that records it is
   * still in flight: the entry is committed on a quorum, so a restart recomputes the same result from
   * the log. Readers of such a state machine must not take the applied state for the written one (a
   * partition's fetch waits for the write in flight). Absent: results go out after the write.
   */
  readonly answersBeforeWrite?: boolean;
  /** Runs after the batch holding applied entries is written, so readers can see them. */
  afterApply(): void;
}
