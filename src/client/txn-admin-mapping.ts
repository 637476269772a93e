import {
  TransactionState,
  type TransactionDescription,
  type TransactionListing,
} from '../../proto/gen/raftlog/v1/admin_pb.js';
import { RaftlogError } from '../../lib/index.js';
import { errorFromDetail } from './errors.js';

/** A transaction's state, as `raftlog txn` prints it. */
export type TransactionStateName =
  'empty' | 'ongoing' | 'prepare-commit' | 'prepare-abort' | 'complete-commit' | 'complete-abort';

const names: Record<TransactionStateName, TransactionState> = {
  empty: TransactionState.EMPTY,
  ongoing: TransactionState.ONGOING,
  'prepare-commit': TransactionState.PREPARE_COMMIT,
  'prepare-abort': TransactionState.PREPARE_ABORT,
  'complete-commit': TransactionState.COMPLETE_COMMIT,
  'complete-abort': TransactionState.COMPLETE_ABORT,
};

export const transactionStateNames = Object.keys(names) as TransactionStateName[];

export function toWireTransactionState(name: TransactionStateName): TransactionState {
  return names[name];
}

function stateName(state: TransactionState): TransactionStateName | 'unknown' {
  return transactionStateNames.find((n) => names[n] === state) ?? 'unknown';
}

export interface TransactionSummary {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly state: TransactionStateName | 'unknown';
}

export interface TransactionDetails extends TransactionSummary {
  readonly epoch: number;
  readonly partitions: readonly { readonly topic: string; readonly partition: number }[];
  readonly groups: readonly string[];
  /** ms since the epoch; 0 when no transaction is open. */
  readonly startedAtMs: number;
  /** How long the open transaction has run; 0 when none is open. */
  readonly ageMs: number;
  readonly timeoutMs: number;
}

export function toTransactionSummary(t: TransactionListing): TransactionSummary {
  return { transactionalId: t.transactionalId, producerId: Number(t.producerId), state: stateName(t.state) };
}

/** Throws the per-id error (an unknown id) as a RaftlogError. */
export function toTransactionDetails(t: TransactionDescription): TransactionDetails {
  const error = errorFromDetail(t.error);
  if (error !== undefined) throw error;
  if (t.transactionalId === '') throw new RaftlogError('INTERNAL', 'a transaction description without an id');
  return {
    transactionalId: t.transactionalId,
    producerId: Number(t.producerId),
    epoch: t.producerEpoch,
    state: stateName(t.state),
    partitions: t.partitions.map((p) => ({ topic: p.topic, partition: p.partition })),
    groups: [...t.groupIds],
    startedAtMs: Number(t.startedAtMs),
    ageMs: Number(t.ageMs),
    timeoutMs: t.transactionTimeoutMs,
  };
}
