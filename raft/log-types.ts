import type { LogIndex, NodeId, Term } from '../lib/index.js';

/**
 * The persisted shapes of the Raft core: what the caller must write to stable storage (hard state,
 * entries, snapshot metadata) before it sends the messages of the same Ready.
 */
export type EntryType = 'normal' | 'conf-change';

export interface Entry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly type: EntryType;
  /** Opaque to Raft: a state-machine command, or an encoded ConfChange for 'conf-change' entries. */
  readonly data: Uint8Array;
}

export interface HardState {
  readonly term: Term;
  /** 0 means no vote in this term. */
  readonly vote: NodeId | 0;
  readonly commit: LogIndex;
}

/** Voters and learners; a joint configuration has a non-empty `votersOutgoing`. */
export interface ConfState {
  readonly voters: readonly NodeId[];
  readonly votersOutgoing: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Learners that become voters when the joint configuration is left. */
  readonly learnersNext: readonly NodeId[];
  /** Leave the joint configuration automatically once it is committed. */
  readonly autoLeave: boolean;
}

export interface SnapshotMetadata {
  readonly index: LogIndex;
  readonly term: Term;
  readonly confState: ConfState;
}

export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  /** The application's state at `metadata.index`, opaque to Raft. */
  readonly data: Uint8Array;
}
