import type { RecordHeader } from '../../lib/index.js';
import { encodeReceipt, type LeaseRef } from './queue-receipt.js';

export interface NackOptions {
  /** Redeliver no sooner than this; 0 (default) = at once. */
  readonly delayMs?: number;
  /** Why processing failed; kept with the message and written to its dead-letter copy (≤ 1 KiB). */
  readonly error?: string;
}

/** What a QueueMessage's methods call: the consumer's batched Ack, Nack and ExtendLease. */
export interface LeaseActions {
  ack(ref: LeaseRef): Promise<void>;
  nack(ref: LeaseRef, options: NackOptions): Promise<void>;
  /** Resolves with the new expiry. */
  extend(ref: LeaseRef, visibilityTimeoutMs: number): Promise<number>;
}

/** A leased message. ack/nack/extend reject with LEASE_EXPIRED or UNKNOWN_LEASE when the lease is gone. */
export interface QueueMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly RecordHeader[];
  readonly timestampMs: number;
  /** Deliveries so far, this one included. */
  readonly deliveryCount: number;
  readonly leaseExpiresAtMs: number;
  readonly leaseId: bigint;
  /** `topic:partition:offset:leaseId`; `raftlog queue ack TOPIC RECEIPT` takes it back. */
  readonly receipt: string;
  ack(): Promise<void>;
  nack(options?: NackOptions): Promise<void>;
  /** Extends the lease by `visibilityTimeoutMs` from now; resolves with the new expiry. */
  extend(visibilityTimeoutMs: number): Promise<number>;
}

export type QueueMessageFields = Omit<QueueMessage, 'receipt' | 'ack' | 'nack' | 'extend'>;

export function queueMessage(fields: QueueMessageFields, actions: LeaseActions): QueueMessage {
  const ref: LeaseRef = {
    topic: fields.topic,
    partition: fields.partition,
    offset: fields.offset,
    leaseId: fields.leaseId,
  };
  return {
    ...fields,
    receipt: encodeReceipt(ref),
    ack: () => actions.ack(ref),
    nack: (options = {}) => actions.nack(ref, options),
    extend: (ms) => actions.extend(ref, ms),
  };
}
