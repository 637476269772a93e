import type { DecodedRecord, ErrorCode } from '../../lib/index.js';
import type { QueueOpKind } from '../partition/index.js';
import type { ResponseHold } from '../../rpc/index.js';
import type { DeadLetterReason } from './queue-planner.js';

/** Queue consumption of a topic (Lease, Ack, Nack, ExtendLease, QueueStats), answered by partition leaders. */
export interface QueueApi {
  /** Leases from the listed partitions (all must be led here) or, with none listed, all led here. */
  lease(input: LeaseInput): Promise<readonly LeasedRecord[]>;
  /** Acks, nacks, extends or dead-letter moves; one result per op, in order. */
  settle(input: SettleInput): Promise<OpResult[]>;
  stats(input: { queue: string; topic: string; partitions: readonly number[] }): Promise<QueueStatsView[]>;
  /**
   * Deletes the queue group on the listed partitions (none listed: every partition of the topic), each
   * replicated by its leader; one result per partition, in partition order (NOT_LEADER for one not led here).
   */
  deleteGroup(input: {
    queue: string;
    topic: string;
    partitions: readonly number[];
  }): Promise<GroupDeletion[]>;
  /**
   * The queue groups of the listed partitions (none listed: every partition of the topic), as each
   * leader applied them; one result per partition, in partition order (NOT_LEADER for one not led here).
   */
  listGroups(input: { topic: string; partitions: readonly number[] }): Promise<GroupListing[]>;
}

/** The outcome on one partition of a call that names several. */
export interface PartitionCallOutcome {
  readonly partition: number;
  /** Undefined on success. */
  readonly code: ErrorCode | undefined;
  readonly message: string;
  readonly leaderHint: string | undefined;
}

export type GroupDeletion = PartitionCallOutcome;

export interface GroupListing extends PartitionCallOutcome {
  /** Sorted; empty where the call failed. */
  readonly queues: readonly string[];
}

export interface LeaseInput {
  readonly queue: string;
  readonly topic: string;
  readonly partitions: readonly number[];
  readonly maxMessages: number;
  /** 0: the topic's visibility timeout. */
  readonly visibilityTimeoutMs: number;
  readonly waitMs: number;
  readonly signal: AbortSignal;
  /** Copies messages due for the dead-letter topic there and settles them; resolves when done. */
  readonly moveDeadLetters: (candidates: readonly DeadLetterCandidate[]) => Promise<void>;
  /**
   * Room for an answer of `bytes` in the call's response budget (its CallContext's
   * holdResponseBytes), waited for before each round leases anything; rejects when the call ends.
   */
  readonly holdAnswerBytes: (bytes: number) => Promise<ResponseHold>;
}

export interface LeasedRecord {
  readonly partition: number;
  readonly record: DecodedRecord;
  readonly leaseId: number;
  readonly deliveryCount: number;
  readonly expiresAtMs: number;
}

/** A message leased to the dead-letter mover: copy it to `deadLetterTopic`, then settle 'dead-letter'. */
export interface DeadLetterCandidate extends LeasedRecord {
  readonly deadLetterTopic: string;
  readonly reason: DeadLetterReason;
  readonly lastError: string;
}

export interface LeaseOutcome {
  readonly messages: readonly LeasedRecord[];
  readonly deadLetters: readonly DeadLetterCandidate[];
}

export interface SettleOpInput {
  readonly kind: QueueOpKind;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly leaseId: number;
  /** nack: delay; extend: the new visibility timeout. */
  readonly ms: number;
  readonly error: string;
}

export interface SettleInput {
  readonly queue: string;
  readonly ops: readonly SettleOpInput[];
  /** Acks that join this producer's open transaction. */
  readonly transaction?: {
    readonly transactionalId: string;
    readonly producerId: number;
    readonly epoch: number;
  };
}

export interface OpResult {
  /** Undefined on success. */
  readonly code: ErrorCode | undefined;
  readonly message: string;
  readonly leaderHint: string | undefined;
  readonly expiresAtMs: number;
}

export interface QueueStatsView {
  readonly partition: number;
  readonly depth: number;
  readonly inFlight: number;
  readonly delayed: number;
  readonly oldestAgeMs: number;
  readonly deadLettered: number;
  readonly ackFloor: number;
  readonly highWatermark: number;
}
