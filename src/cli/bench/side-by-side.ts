import { loadavg } from 'node:os';
import { noProgress, type LatencySummary } from '../bench-runner.js';
import type { BenchTarget } from './bench-target.js';
import type { BenchTime } from './bench-time.js';
import { formatCount, formatMs, formatTable, type Column } from './percentile-table.js';
import { measureConsume, produceThrough } from './workload.js';

export interface SideBySideOptions {
  /** Each target runs this many times, interleaved, so a drifting machine load hits all alike. */
  readonly runs: number;
  /**
   * Rounds run first and not recorded, every target alike: a process that compiles as it goes (V8,
   * Erlang's JIT) is slower on its first records than it is once it has served some (default 0).
   */
  readonly warmupRuns?: number;
  /** Records of the throughput run (then read back by the consume run). */
  readonly count: number;
  /** Records sent one at a time for the latency run. */
  readonly latencyCount: number;
  readonly recordBytes: number;
  readonly concurrency: number;
  readonly idleTimeoutMs: number;
  /** Ends the runs early (Ctrl-C): no new phase starts, the current one stops sending. */
  readonly signal?: AbortSignal;
}

/** One run of one target. */
export interface TargetRun {
  readonly produceRecordsPerSec: number;
  readonly produceErrors: number;
  readonly oneAtATime: LatencySummary;
  readonly consumeRecordsPerSec: number;
  /** Read back of what was acknowledged; less means records went missing. */
  readonly consumed: number;
  readonly expected: number;
  /** The 1-minute load average when the run started (the machine is shared). */
  readonly loadAverage: number;
}

export interface TargetReport {
  readonly name: string;
  readonly runs: readonly TargetRun[];
}

/** Runs the same workload against every target, `runs` times, one target after the other. */
export async function runSideBySide(
  targets: readonly BenchTarget[],
  options: SideBySideOptions,
  time: BenchTime,
  onRun: (name: string, run: TargetRun, index: number) => void = () => {},
): Promise<TargetReport[]> {
  const reports = targets.map((t) => ({ name: t.name, runs: [] as TargetRun[] }));
  for (let w = 0; w < (options.warmupRuns ?? 0); w++) {
    for (const target of targets) {
      if (options.signal?.aborted === true) return reports;
      await runOnce(target, options, time);
    }
  }
  for (let r = 0; r < options.runs; r++) {
    for (const [i, target] of targets.entries()) {
      if (options.signal?.aborted === true) return reports;
      const run = await runOnce(target, options, time);
      reports[i]?.runs.push(run);
      onRun(target.name, run, r);
    }
  }
  return reports;
}

async function runOnce(target: BenchTarget, o: SideBySideOptions, time: BenchTime): Promise<TargetRun> {
  const loadAverage = loadavg()[0] ?? 0;
  await target.prepare();
  const shape = { recordBytes: o.recordBytes };
  const stop = o.signal === undefined ? {} : { signal: o.signal };
  const bulk = { ...shape, ...stop, count: o.count, concurrency: o.concurrency };
  const produce = await produceThrough(target, false, bulk, time, noProgress);
  const single = { ...shape, ...stop, count: o.latencyCount, concurrency: 1 };
  const latency = await produceThrough(target, true, single, time, noProgress);
  const expected = produce.result.count + latency.result.count;
  const consume = await measureConsume(
    target,
    { count: expected, idleTimeoutMs: o.idleTimeoutMs, stamped: false, ...stop },
    time,
    noProgress,
  );
  return {
    produceRecordsPerSec: produce.result.recordsPerSec,
    produceErrors: produce.result.errors + latency.result.errors,
    oneAtATime: latency.result,
    consumeRecordsPerSec: consume.recordsPerSec,
    consumed: consume.count,
    expected,
    loadAverage: Math.round(loadAverage * 10) / 10,
  };
}

/** The middle value (the mean of the two middle ones for an even count) with the range around it. */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return { median: 0, min: 0, max: 0 };
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** What a side-by-side run prints: one row per target, the median of its runs with min–max. */
export function sideBySideTable(reports: readonly TargetReport[]): string {
  const count = (pick: (r: TargetRun) => number) => (t: TargetReport) => spreadText(t, pick, formatCount);
  const ms = (pick: (r: TargetRun) => number) => (t: TargetReport) => spreadText(t, pick, formatMs);
  const columns: Column<TargetReport>[] = [
    { header: 'target', cell: (t) => t.name },
    { header: 'produce rec/s', cell: count((r) => r.produceRecordsPerSec) },
    { header: 'one-at-a-time p50 ms', cell: ms((r) => r.oneAtATime.p50Ms) },
    { header: 'p99 ms', cell: ms((r) => r.oneAtATime.p99Ms) },
    { header: 'consume rec/s', cell: count((r) => r.consumeRecordsPerSec) },
    { header: 'load avg', cell: (t) => t.runs.map((r) => r.loadAverage.toFixed(1)).join('/') },
  ];
  return formatTable(columns, reports);
}

function spreadText(t: TargetReport, pick: (r: TargetRun) => number, format: (n: number) => string): string {
  const s = spreadOf(t.runs.map(pick));
  return t.runs.length <= 1 ? format(s.median) : `${format(s.median)} (${format(s.min)}–${format(s.max)})`;
}

/** The JSON form: every run, and the medians the table shows. */
export function sideBySideJson(reports: readonly TargetReport[]) {
  return reports.map((t) => ({
    target: t.name,
    produceRecordsPerSec: spreadOf(t.runs.map((r) => r.produceRecordsPerSec)),
    oneAtATimeP50Ms: spreadOf(t.runs.map((r) => r.oneAtATime.p50Ms)),
    oneAtATimeP99Ms: spreadOf(t.runs.map((r) => r.oneAtATime.p99Ms)),
    consumeRecordsPerSec: spreadOf(t.runs.map((r) => r.consumeRecordsPerSec)),
    runs: t.runs,
  }));
}
