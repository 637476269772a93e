import type { ProducerId } from '../../lib/index.js';

/**
 * Where a transactional id's current (or last) transaction stands. ONGOING once a partition or a
 * group was added; PREPARE_* once the end is decided (durable: a new coordinator finishes it);
 * COMPLETE_* once every partition has its marker.
 */
export const txnStates = [
  'empty',
  'ongoing',
  'prepare-commit',
  'prepare-abort',
  'complete-commit',
  'complete-abort',
] as const;
export type TxnState = (typeof txnStates)[number];

export interface TxnPartition {
  readonly topic: string;
  readonly partition: number;
}

/** A consumer group offset committed inside a transaction: visible only once the transaction commits. */
export interface PendingTxnOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly metadata: string;
}

export interface TransactionalIdInfo {
  readonly transactionalId: string;
  readonly producerId: ProducerId;
  readonly epoch: number;
  readonly transactionTimeoutMs: number;
  /** Leader time of the last command that changed this id (expiry measures idleness from it). */
  readonly updatedAtMs: number;
  readonly state: TxnState;
  /** Sorted by topic then partition, no duplicates. */
  readonly partitions: readonly TxnPartition[];
  /** Sorted, no duplicates. */
  readonly groupIds: readonly string[];
  /** Sorted by group, topic, partition; one per partition of a group (the last commit wins). */
  readonly pendingOffsets: readonly PendingTxnOffset[];
  /** Leader time the open transaction began; 0 when none is open. */
  readonly startedAtMs: number;
}

export type TxnCommand =
  /** Registers partitions; opens a transaction when none is open. */
  | {
      readonly type: 'add-partitions-to-txn';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
      readonly partitions: readonly TxnPartition[];
    }
  /** Registers a consumer group whose offsets the transaction will commit. */
  | {
      readonly type: 'add-offsets-to-txn';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
      readonly groupId: string;
    }
  /** Keeps offsets pending in the open transaction. */
  | {
      readonly type: 'txn-offset-commit';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
      readonly groupId: string;
      readonly generationId: number;
      readonly memberId: string;
      readonly offsets: readonly {
        readonly topic: string;
        readonly partition: number;
        readonly offset: number;
        readonly metadata: string;
      }[];
    }
  /** The producer's decision (EndTxn): ONGOING → PREPARE_COMMIT | PREPARE_ABORT. */
  | {
      readonly type: 'prepare-end-txn';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
      readonly commit: boolean;
    }
  /** The coordinator wrote every marker: PREPARE_* → COMPLETE_*. */
  | {
      readonly type: 'complete-end-txn';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
      readonly commit: boolean;
    }
  /** The coordinator saw the transaction outlive its timeout: bump the epoch (fencing) and abort. */
  | {
      readonly type: 'abort-timed-out-txn';
      readonly transactionalId: string;
      readonly producerId: number;
      readonly epoch: number;
    };

/** Bounds of one transaction, fixed in code so every replica refuses alike. */
export const txnLimits = {
  partitionsPerTxnMax: 10_000,
  groupsPerTxnMax: 100,
  pendingOffsetsPerTxnMax: 10_000,
  groupIdCharsMax: 255,
  metadataCharsMax: 4_096,
  memberIdCharsMax: 255,
} as const;

export function isOpenTxnState(state: TxnState): boolean {
  return state === 'ongoing' || state === 'prepare-commit' || state === 'prepare-abort';
}

export function isPrepareState(state: TxnState): state is 'prepare-commit' | 'prepare-abort' {
  return state === 'prepare-commit' || state === 'prepare-abort';
}
