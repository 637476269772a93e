import type { CheckResult, QueueSummary } from '../checker/index.js';

/** The one-line summary a script reads: the last line printed with --json. */
export interface Verdict {
  readonly valid: boolean;
  readonly seed: number;
  readonly faults: Readonly<Record<string, number>>;
  readonly operations: { readonly ok: number; readonly fail: number; readonly info: number };
  readonly anomalies: Readonly<Record<string, number>>;
  readonly failoverMs: { readonly p50: number; readonly max: number };
  readonly report: string;
  /** The queue workload's deliveries and acks. */
  readonly queue?: QueueSummary;
}

/**
 * The checker's result plus what only the runner knows: nodes that exited without being told to
 * (a crash is never valid) count as the anomaly `crash`.
 */
export function verdictOf(
  result: CheckResult,
  seed: number,
  faults: ReadonlyMap<string, number>,
  crashes: readonly string[],
  report: string,
): Verdict {
  return {
    valid: result.valid && crashes.length === 0,
    seed,
    faults: Object.fromEntries(faults),
    operations: result.operations,
    anomalies: { ...result.anomalyCounts, crash: crashes.length },
    failoverMs: result.failoverMs,
    report,
    ...(result.queue === undefined ? {} : { queue: result.queue }),
  };
}
