import { RaftlogError } from '../../lib/index.js';
import { defaultRetryOptions, type RetryOptions } from './retry-policy.js';

export interface QueueConsumerOptions {
  readonly topic: string;
  /** The queue group: consumers sharing it share the messages (default "default"). */
  readonly queue?: string;
  /** Per Lease call, 1..1000 (default 100). */
  readonly maxMessages?: number;
  /** Lease duration; 0 (default) uses the topic's queue visibility timeout. */
  readonly visibilityTimeoutMs?: number;
  /** How long a Lease call waits for a message, 0..20000 (default 5000). */
  readonly waitMs?: number;
  /** Shown by DescribeGroups (default: a random id). */
  readonly consumerId?: string;
  /** Extend leases of messages not yet acked or nacked at half their time left (default true). */
  readonly autoExtend?: boolean;
  /** Per call, on top of waitMs for Lease. */
  readonly requestTimeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  /** Acks issued this close together share one call per leader (default 2). */
  readonly ackLingerMs?: number;
  /** At most this many leases per Ack, Nack or ExtendLease call (default 500). */
  readonly ackBatchMax?: number;
  /** How long close() waits for running handlers (default 30000). */
  readonly closeTimeoutMs?: number;
}

export interface QueueSettings {
  readonly topic: string;
  readonly queue: string;
  readonly maxMessages: number;
  readonly visibilityTimeoutMs: number;
  readonly waitMs: number;
  readonly consumerId: string;
  readonly autoExtend: boolean;
  readonly requestTimeoutMs: number;
  readonly retry: RetryOptions;
  readonly ackLingerMs: number;
  readonly ackBatchMax: number;
  readonly closeTimeoutMs: number;
}

export const maxMessagesMax = 1000;
/** The server caps a long poll at this. */
export const waitMsMax = 20_000;

export function queueSettings(o: QueueConsumerOptions): QueueSettings {
  const s: QueueSettings = {
    topic: o.topic,
    queue: o.queue ?? 'default',
    maxMessages: o.maxMessages ?? 100,
    visibilityTimeoutMs: o.visibilityTimeoutMs ?? 0,
    waitMs: o.waitMs ?? 5_000,
    consumerId: o.consumerId ?? `queue-consumer-${Math.random().toString(36).slice(2, 10)}`,
    autoExtend: o.autoExtend ?? true,
    requestTimeoutMs: o.requestTimeoutMs ?? 10_000,
    retry: { ...defaultRetryOptions, ...o.retry },
    ackLingerMs: o.ackLingerMs ?? 2,
    ackBatchMax: o.ackBatchMax ?? 500,
    closeTimeoutMs: o.closeTimeoutMs ?? 30_000,
  };
  check(s.topic !== '', 'topic is required');
  check(s.queue !== '', 'queue must not be empty');
  checkRange('maxMessages', s.maxMessages, 1, maxMessagesMax);
  checkRange('waitMs', s.waitMs, 0, waitMsMax);
  checkRange('visibilityTimeoutMs', s.visibilityTimeoutMs, 0, 0xffff_ffff);
  checkRange('ackBatchMax', s.ackBatchMax, 1, 10_000);
  return s;
}

function checkRange(name: string, value: number, min: number, max: number): void {
  check(
    Number.isSafeInteger(value) && value >= min && value <= max,
    `${name} must be in [${min}, ${max}], got ${value}`,
  );
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RaftlogError('INVALID_ARGUMENT', message);
}
