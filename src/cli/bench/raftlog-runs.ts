import { noProgress, type BenchResult, type LatencySummary, type Progress } from '../bench-runner.js';
import type { BenchTarget } from './bench-target.js';
import type { BenchTime } from './bench-time.js';
import type { PlotPanel } from './plot-writer.js';
import { describePoint, type SweepPoint } from './sweep.js';
import { measureConsume, produceThrough } from './workload.js';

export interface RunShape {
  readonly count: number;
  readonly concurrency: number;
  readonly oneAtATime: boolean;
  /** e2e: stop reading after this long without a record. */
  readonly idleTimeoutMs: number;
}

/** One point of a sweep as `--json` prints it. */
export interface RunReport extends BenchResult {
  readonly mode: 'produce' | 'e2e';
  readonly recordBytes: number;
  /** Open loop at this rate; null for the closed loop. */
  readonly ratePerSec: number | null;
  readonly rateOfPeak: number | null;
  /** Open loop: how far the sender fell behind its schedule (a saturated client, not the target). */
  readonly lagMsMax?: number;
  /** e2e only: records read back, and the produce acks' own latency (the top-level one is end to end). */
  readonly consumed?: number;
  readonly ackLatency?: LatencySummary;
}

export interface RunOutcome {
  readonly report: RunReport;
  readonly panel: PlotPanel;
}

function pointFields(p: SweepPoint) {
  return { recordBytes: p.recordBytes, ratePerSec: p.ratePerSec ?? null, rateOfPeak: p.rateOfPeak ?? null };
}

const lagOf = (m: { lagMsMax?: number }) => (m.lagMsMax === undefined ? {} : { lagMsMax: m.lagMsMax });

function produceShape(p: SweepPoint, shape: RunShape, stamped: boolean) {
  const concurrency = shape.oneAtATime ? 1 : shape.concurrency;
  const rate = p.ratePerSec === undefined ? {} : { ratePerSec: p.ratePerSec };
  return { count: shape.count, recordBytes: p.recordBytes, concurrency, stamped, ...rate };
}

/** Produce only: latency from send (or intended send) to ack. */
export async function produceRun(
  target: BenchTarget,
  point: SweepPoint,
  shape: RunShape,
  time: BenchTime,
  progress: Progress,
): Promise<RunOutcome> {
  await target.prepare();
  const m = await produceThrough(target, shape.oneAtATime, produceShape(point, shape, false), time, progress);
  return {
    report: { mode: 'produce', ...pointFields(point), ...m.result, ...lagOf(m) },
    panel: { title: `produce ${describePoint(point)}: send → ack`, points: m.timeline.points() },
  };
}

/**
 * Produce and consume at once on a fresh destination: each value carries its send time (the intended
 * one in open loop), and the consumer in this process measures send → receipt.
 */
export async function e2eRun(
  target: BenchTarget,
  point: SweepPoint,
  shape: RunShape,
  time: BenchTime,
  progress: Progress,
): Promise<RunOutcome> {
  await target.prepare();
  const reading = measureConsume(
    target,
    { count: shape.count, idleTimeoutMs: shape.idleTimeoutMs, stamped: true },
    time,
    progress,
  );
  // Nothing is lost if the subscription is not ready yet: it reads from the start.
  reading.catch(() => undefined);
  const stamped = produceShape(point, shape, true);
  const produced = await produceThrough(target, shape.oneAtATime, stamped, time, noProgress);
  const consumed = await reading;
  return {
    report: {
      mode: 'e2e',
      ...pointFields(point),
      ...produced.result,
      ...consumed.latency.summary(),
      ...lagOf(produced),
      consumed: consumed.count,
      ackLatency: latencyOf(produced.result),
    },
    panel: { title: `e2e ${describePoint(point)}: send → consumer`, points: consumed.timeline.points() },
  };
}

function latencyOf(r: LatencySummary): LatencySummary {
  return { p50Ms: r.p50Ms, p90Ms: r.p90Ms, p99Ms: r.p99Ms, p999Ms: r.p999Ms, maxMs: r.maxMs };
}
