import type { LogIndex, NodeId, Term } from '../lib/index.js';
import type { Entry, SnapshotMetadata } from './log-types.js';

export type MessageType =
  | 'append'
  | 'append-response'
  | 'heartbeat'
  | 'heartbeat-response'
  | 'vote'
  | 'vote-response'
  | 'pre-vote'
  | 'pre-vote-response'
  | 'snapshot'
  | 'snapshot-response'
  | 'timeout-now'
  | 'read-index'
  | 'read-index-response'
  | 'transfer-leader';

/** One chunk of an InstallSnapshot; the receiver reassembles chunks in offset order. */
export interface SnapshotChunk {
  readonly metadata: SnapshotMetadata;
  readonly offset: number;
  readonly totalBytes: number;
  readonly data: Uint8Array;
  readonly done: boolean;
}

/** Plain and immutable: the core never changes a message it sent or received. */
export interface Message {
  readonly type: MessageType;
  readonly from: NodeId;
  readonly to: NodeId;
  readonly term: Term;
  readonly logTerm: Term;
  readonly index: LogIndex;
  readonly entries: readonly Entry[];
  readonly commit: LogIndex;
  readonly reject: boolean;
  readonly rejectHint: LogIndex;
  readonly snapshotChunk?: SnapshotChunk;
  /** ReadIndex request context; for a vote, a non-empty context marks a leadership transfer. */
  readonly context?: Uint8Array;
}

type MessageFields = Pick<Message, 'type' | 'from' | 'to' | 'term'> & Partial<Message>;

/** A message with these fields and every other at its zero value (no entries, index 0...). */
export function makeMessage(fields: MessageFields): Message {
  const zero = { logTerm: 0 as Term, index: 0 as LogIndex, commit: 0 as LogIndex, rejectHint: 0 as LogIndex };
  return { ...zero, entries: [], reject: false, ...fields };
}
