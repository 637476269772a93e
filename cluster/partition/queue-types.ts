import type { ErrorCode } from '../../lib/index.js';

/**
 * Where a message not yet done stands in one queue group: leased to a consumer until `untilMs`,
 * waiting to be visible again from `untilMs` (a nack's delay, a deliver-at header, a key ahead of
 * it), or acked inside the open transaction of producer `producerId`.
 */
export type PendingState = 'leased' | 'waiting' | 'txn-acked';

export interface PendingMessage {
  readonly offset: number;
  /** The record's timestamp: for the oldest-age gauge and the message TTL. */
  readonly appendTimeMs: number;
  /** Kept only for topics ordered by key (null otherwise), so any leader can keep the order. */
  readonly key: Uint8Array | null;
  deliveryCount: number;
  state: PendingState;
  /** The current lease's token; 0 before the first lease. */
  leaseId: number;
  untilMs: number;
  /** For txn-acked: the producer whose transaction holds the ack; -1 otherwise. */
  producerId: number;
  /** The last nack's reason, for the dead-letter copy. */
  lastError: string;
}

export interface QueueGroupData {
  readonly name: string;
  /** Every offset below it was leased, skipped or settled at least once; the scan resumes here. */
  readonly cursor: number;
  readonly lastLeaseId: number;
  /** Messages dead-lettered or dropped (past max deliveries or TTL) so far. */
  readonly deadLettered: number;
  /** In offset order. */
  readonly pending: readonly PendingMessage[];
}

/** One message the leader leases; offsets at or past the command's fromCursor are new to the queue. */
export interface QueueGrant {
  readonly offset: number;
  readonly appendTimeMs: number;
  readonly key: Uint8Array | null;
  /** Leased to the node's own dead-letter mover: the delivery count does not move. */
  readonly deadLetter: boolean;
}

/** A newly scanned message that must wait (delayed delivery, or a key with a message ahead of it). */
export interface QueueWaiting {
  readonly offset: number;
  readonly appendTimeMs: number;
  readonly key: Uint8Array | null;
  readonly visibleAtMs: number;
}

export type QueueOpKind = 'ack' | 'nack' | 'extend' | 'dead-letter';

export interface QueueOp {
  readonly kind: QueueOpKind;
  readonly offset: number;
  readonly leaseId: number;
  /** nack: the delay before redelivery; extend: the new visibility timeout; both from the entry's time. */
  readonly ms: number;
  /** nack: why processing failed (bounded by queueErrorBytesMax). */
  readonly error: string;
}

/**
 * The leader's lease decision for one queue group. Offsets in [fromCursor, scanTo) that are neither
 * granted, waiting nor dropped are done for this group (control records, aborted data, compacted
 * gaps). Grants below fromCursor are redeliveries, taken only if the message is still available at
 * the entry's time.
 */
export interface QueueLeaseCommand {
  readonly type: 'queue-lease';
  readonly queue: string;
  readonly fromCursor: number;
  readonly scanTo: number;
  readonly leaseMs: number;
  readonly grants: readonly QueueGrant[];
  readonly waiting: readonly QueueWaiting[];
  /** Messages that expired (TTL) or ran out of deliveries with nowhere to go. */
  readonly drops: readonly number[];
}

/** Acks, nacks, extensions and dead-letter moves of one queue group; each op is judged alone. */
export interface QueueSettleCommand {
  readonly type: 'queue-settle';
  readonly queue: string;
  /** -1 for plain ops; otherwise acks join this producer's open transaction. */
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly ops: readonly QueueOp[];
}

/**
 * Drops a queue group with everything it holds (cursor, leases, acks, delivery counts). A later lease
 * under the same name starts a new group at the log start, whose lease ids continue above the
 * deleted group's, so none of the old ids is ever taken for a new lease.
 */
export interface QueueDeleteCommand {
  readonly type: 'queue-delete';
  readonly queue: string;
}

export interface LeaseGranted {
  readonly offset: number;
  readonly leaseId: number;
  readonly deliveryCount: number;
  readonly expiresAtMs: number;
}

export interface SettleOutcome {
  /** Undefined on success. */
  readonly code: ErrorCode | undefined;
  readonly message: string;
  /** extend: the new expiry; otherwise 0. */
  readonly expiresAtMs: number;
}

/** Bounds of the queue state a partition keeps, part of the replicated rules (not per-node settings). */
export const queueLimits = {
  /** Queue groups per partition. */
  groupsMax: 64,
  groupNameCharsMax: 249,
  /** Messages leased, waiting or txn-acked per group and partition: bounds memory and snapshots. */
  pendingMax: 20_000,
  /** Grants, waiting entries, drops or ops in one command. */
  itemsPerCommandMax: 2_000,
  leaseMsMax: 12 * 60 * 60 * 1000,
  delayMsMax: 24 * 60 * 60 * 1000,
  errorBytesMax: 1024,
  keyBytesMax: 64 * 1024,
} as const;

export const queueGroupNamePattern = /^[a-zA-Z0-9._-]+$/;
