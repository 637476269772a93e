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
}
