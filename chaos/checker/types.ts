import type { FaultKind, Key } from '../history/types.js';

/**
 * Anomalies, named as Jepsen's Kafka workload names them:
 * - lost-write: an acknowledged value is missing although a later value of its key was read.
 * - duplicate: one value read at two or more offsets.
 * - inconsistent-offsets: one offset read with two or more values (or acknowledged with one and read with another).
 * - nonmonotonic-send: a process's later acknowledged send to a key got an offset ≤ its previous one.
 * - nonmonotonic-poll: a process's poll starts at or before where its previous poll of the key ended.
 * - poll-skip: a process's poll skips values that exist between where its previous poll ended and where this one starts.
 * - int-poll-skip / int-nonmonotonic-poll: the same within one poll's records.
 * - unseen: acknowledged sends that no poll read by the end of the final drain.
 * - G1a (aborted read): a value read whose send definitely failed.
 * - phantom: a value read that no process ever sent.
 * Queue workload (leases and acks, see queue-facts.ts):
 * - lost: an acknowledged enqueue that no ack acknowledged by the end of the drain.
 * - duplicated-after-ack: a message leased again by a lease invoked after an ack of it was acknowledged.
 * - unexpected: a message leased that no enqueue to its key attempted, or whose enqueue failed.
 */
export const anomalyNames = [
  'lost-write',
  'duplicate',
  'inconsistent-offsets',
  'nonmonotonic-send',
  'nonmonotonic-poll',
  'poll-skip',
  'int-poll-skip',
  'int-nonmonotonic-poll',
  'unseen',
  'G1a',
  'phantom',
  'lost',
  'duplicated-after-ack',
  'unexpected',
] as const;
export type AnomalyName = (typeof anomalyNames)[number];

export interface Anomaly {
  readonly name: AnomalyName;
  readonly key: Key;
  /** One line a user can act on, e.g. "value v17 acknowledged at offset 4 was never read; offsets up to 90 were". */
  readonly message: string;
  /** History indices of the operations involved (invokes and completions). */
  readonly ops: readonly number[];
}

export interface Percentiles {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** Time from a fault taking effect to the first acknowledged send after it (to any key). */
export interface Failover {
  readonly faultIndex: number;
  readonly kind: FaultKind;
  readonly ms: number;
}

/** A stretch when no send was acknowledged although sends were being attempted, longer than the threshold. */
export interface Unavailability {
  readonly fromMs: number;
  readonly toMs: number;
}

/** One second of the run: completions by type, and latency of the ok sends completed in it. */
export interface SecondSample {
  readonly second: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly latencyMs?: Percentiles;
}

/** Per-lease outcomes of acks or nacks: `unknown` when the call's outcome was unknown. */
export interface SettleCounts {
  readonly ok: number;
  readonly failed: number;
  readonly unknown: number;
}

/** What the queue workload did, besides its anomalies. */
export interface QueueSummary {
  /** Enqueue operations by outcome. */
  readonly enqueued: { readonly ok: number; readonly fail: number; readonly info: number };
  /** Messages leased (counted per lease handed out, redeliveries included). */
  readonly deliveries: number;
  /** Deliveries beyond the first, over all messages. */
  readonly redeliveries: number;
  /** How many messages were delivered n times, keyed by n ("0" for acknowledged enqueues never leased). */
  readonly deliveriesPerMessage: Readonly<Record<string, number>>;
  readonly acks: SettleCounts;
  readonly nacks: SettleCounts;
  /**
   * Acknowledged enqueues never acked for sure, whose last ack's outcome is unknown and that were
   * not leased after it: maybe acked, so not counted lost.
   */
  readonly ackUnknown: number;
}

export interface CheckResult {
  readonly valid: boolean;
  readonly operations: { readonly ok: number; readonly fail: number; readonly info: number };
  /** Every anomaly name with its count, zero included, so the verdict's shape never changes. */
  readonly anomalyCounts: Readonly<Record<AnomalyName, number>>;
  /** The anomalies found, at most `examplesMax` per name, for the report. */
  readonly anomalies: readonly Anomaly[];
  readonly faults: Readonly<Partial<Record<FaultKind, number>>>;
  readonly failovers: readonly Failover[];
  readonly failoverMs: { readonly p50: number; readonly max: number };
  readonly unavailability: readonly Unavailability[];
  readonly timeline: readonly SecondSample[];
  readonly sendLatencyMs?: Percentiles;
  /** Present when the history holds queue operations. */
  readonly queue?: QueueSummary;
}
