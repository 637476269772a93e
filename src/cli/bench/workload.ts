import { RaftlogError } from '../../../lib/index.js';
import { LatencyRecorder, round3, summarize, type BenchResult, type Progress } from '../bench-runner.js';
import type { BenchSender, BenchTarget } from './bench-target.js';
import type { BenchTime } from './bench-time.js';
import { LatencyTimeline } from './latency-timeline.js';
import { runOpenLoop } from './open-loop.js';
import { RandomValues } from '../random-values.js';
import { readStamp, stampBytes, stampValue } from './value-stamp.js';

export interface ProduceShape {
  readonly count: number;
  readonly recordBytes: number;
  /** Closed loop: sends awaiting their ack at once (1: one at a time). */
  readonly concurrency: number;
  /** Open loop at this many records/s instead of the closed loop. */
  readonly ratePerSec?: number;
  /** Every value carries its send time (end-to-end runs); costs one allocation per record. */
  readonly stamped?: boolean;
  /** Stops sending (an interrupted bench): what is in flight still settles. */
  readonly signal?: AbortSignal;
}

/** What one produce run measured, with the per-second timeline for a plot. */
export interface ProduceMeasure {
  readonly result: BenchResult;
  readonly timeline: LatencyTimeline;
  /** Open loop only: how far the generator fell behind its own schedule. */
  readonly lagMsMax?: number;
}

/** Operations kept in flight at most by an open loop; far above what any target here sustains. */
const openLoopInFlightMax = 50_000;

/**
 * Sends `count` records through `sender`, closed loop (latency from the actual send) or open loop at
 * a fixed rate (latency from the intended send time).
 */
export async function measureProduce(
  sender: BenchSender,
  shape: ProduceShape,
  time: BenchTime,
  progress: Progress,
): Promise<ProduceMeasure> {
  const latency = new LatencyRecorder();
  const timeline = new LatencyTimeline();
  const started = time.now();
  const valueAt = valueMaker(shape);
  const onDone = (ok: boolean, doneAtMs: number, latencyMs: number): void => {
    if (ok) latency.recordMs(latencyMs);
    if (ok) timeline.record(doneAtMs, latencyMs);
    progress.increment(1);
  };
  let errors: number;
  let lagMsMax: number | undefined;
  if (shape.ratePerSec === undefined) {
    errors = await closedLoop(shape, time, (t) => sender.send(valueAt(t)), onDone, started);
  } else {
    const r = await runOpenLoop(
      time,
      { count: shape.count, ratePerSec: shape.ratePerSec, inFlightMax: openLoopInFlightMax },
      (_, intendedAtMs) => sender.send(valueAt(intendedAtMs)),
      (o) => onDone(o.ok, o.doneAtMs, o.latencyMs),
    );
    errors = r.errors;
    lagMsMax = round3(r.lagMsMax);
  }
  progress.stop();
  const elapsedMs = time.now() - started;
  const acked = shape.count - errors;
  const result = summarize(acked, errors, shape.recordBytes, elapsedMs, latency);
  return lagMsMax === undefined ? { result, timeline } : { result, timeline, lagMsMax };
}

/** Opens a sender of `target`, runs `shape` through it, and closes it however the run ends. */
export async function produceThrough(
  target: Pick<BenchTarget, 'sender'>,
  oneAtATime: boolean,
  shape: ProduceShape,
  time: BenchTime,
  progress: Progress,
): Promise<ProduceMeasure> {
  const sender = await target.sender({ oneAtATime });
  try {
    return await measureProduce(sender, shape, time, progress);
  } finally {
    await sender.close();
  }
}

function valueMaker(shape: ProduceShape): (sentAtMs: number) => Uint8Array {
  if (shape.stamped !== true) {
    const values = new RandomValues(shape.recordBytes);
    return () => values.take();
  }
  const values = new RandomValues(Math.max(shape.recordBytes, stampBytes));
  return (sentAtMs) => stampValue(values.take().slice(), sentAtMs);
}

/**
 * Keeps `shape.concurrency` sends in flight, each completion starting the next. Callbacks rather than
 * an async loop per slot, which left a suspended frame and a promise behind every record (about 240
 * bytes of garbage each, in the client whose CPU the benchmark shares with the nodes).
 */
function closedLoop(
  shape: ProduceShape,
  time: BenchTime,
  send: (sentAtMs: number) => Promise<unknown>,
  onDone: (ok: boolean, doneAtMs: number, latencyMs: number) => void,
  started: number,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    let next = 0;
    let errors = 0;
    let inFlight = 0;
    let failed = false;
    const finish = (ok: boolean, t0: number): void => {
      inFlight--;
      if (!ok) errors++;
      const t1 = time.now();
      try {
        onDone(ok, t1 - started, t1 - t0);
        launch();
      } catch (error) {
        failed = true;
        reject(RaftlogError.from(error));
      }
    };
    const launch = (): void => {
      while (
        !failed &&
        inFlight < shape.concurrency &&
        next < shape.count &&
        shape.signal?.aborted !== true
      ) {
        next++;
        inFlight++;
        const t0 = time.now();
        let sent: Promise<unknown>;
        try {
          sent = send(t0);
        } catch (error) {
          sent = Promise.reject(RaftlogError.from(error));
        }
        sent.then(
          () => finish(true, t0),
          () => finish(false, t0),
        );
      }
      // Records never sent count as failed, so an interrupted run cannot pass for a complete one.
      if (inFlight === 0 && !failed) resolve(errors + (shape.count - next));
    };
    launch();
  });
}

export interface ConsumeMeasure {
  readonly count: number;
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly elapsedMs: number;
  /** End to end (stamp to receipt), when the values carry stamps. */
  readonly latency: LatencyRecorder;
  readonly timeline: LatencyTimeline;
}

/**
 * Reads until `count` records arrived or none came for `idleTimeoutMs`; the rate runs from the call
 * to the last record. Values stamped by this process give end-to-end latency.
 */
export async function measureConsume(
  target: Pick<BenchTarget, 'subscribe'>,
  options: { count: number; idleTimeoutMs: number; stamped: boolean; signal?: AbortSignal },
  time: BenchTime,
  progress: Progress,
): Promise<ConsumeMeasure> {
  const latency = new LatencyRecorder();
  const timeline = new LatencyTimeline();
  const started = time.now();
  let received = 0;
  let bytes = 0;
  let lastAt = started;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  // The signal outlives this run (one per bench, many runs): its listener must go with the run.
  const onAbort = (): void => finish();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const subscription = await target.subscribe((value) => {
    if (received >= options.count) return;
    received++;
    bytes += value.byteLength;
    lastAt = time.now();
    // Only values stamped by this run carry a send time; the first bytes of any other are payload.
    const stamp = options.stamped ? readStamp(value) : undefined;
    if (stamp !== undefined) {
      latency.recordMs(lastAt - stamp);
      timeline.record(lastAt - started, lastAt - stamp);
    }
    progress.increment(1);
    if (received >= options.count) finish();
  });
  try {
    await Promise.race([done, idle(time, () => lastAt, options.idleTimeoutMs, done)]);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    progress.stop();
    await subscription.stop();
  }
  const elapsedMs = Math.max(lastAt - started, 1);
  return {
    count: received,
    recordsPerSec: Math.round(received / (elapsedMs / 1000)),
    mbPerSec: round3(bytes / (1024 * 1024) / (elapsedMs / 1000)),
    elapsedMs,
    latency,
    timeline,
  };
}

/** Resolves once nothing arrived for `idleMs`, or when `done` settles first. */
async function idle(
  time: BenchTime,
  lastAt: () => number,
  idleMs: number,
  done: Promise<void>,
): Promise<void> {
  let finished = false;
  void done.then(() => (finished = true));
  while (!finished) {
    const quietMs = time.now() - lastAt();
    if (quietMs >= idleMs) return;
    await time.sleep(Math.min(idleMs - quietMs, 100));
  }
}
