import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';
import type { ConsumerRecord, ProducerRecord, RecordAck } from '../client/index.js';
import { consumeRecords } from './consume-records.js';
import { RandomValues } from './random-values.js';

/**
 * hdr-histogram-js, loaded with the first histogram: every raftlog process (a node too) loads the
 * CLI's modules, and this one alone added 15 MiB of RSS to each.
 */
let hdr: typeof Hdr | undefined;
function hdrHistograms(): typeof Hdr {
  hdr ??= createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;
  return hdr;
}

export interface BenchResult {
  readonly recordsPerSec: number;
  readonly mbPerSec: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  readonly count: number;
  readonly errors: number;
}

/** The percentiles every bench reports, in milliseconds. */
export interface LatencySummary {
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
}

export interface Progress {
  increment(records: number): void;
  stop(): void;
}

export const noProgress: Progress = { increment: () => undefined, stop: () => undefined };

/**
 * Latencies in microseconds in an HDR histogram: constant memory and exact-enough tail percentiles
 * at any count, where keeping every sample for a sort would grow with the run.
 */
/** An hour, in µs: the histograms' range ends there. */
const highestTrackableUs = 3_600_000_000;

export class LatencyRecorder {
  private readonly histogram: Hdr.Histogram;

  constructor() {
    this.histogram = hdrHistograms().build({
      bitBucketSize: 32,
      lowestDiscernibleValue: 1,
      highestTrackableValue: highestTrackableUs,
      numberOfSignificantValueDigits: 3,
    });
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /**
   * `count` samples of one value: a batch whose messages all waited the same. A value outside the
   * histogram's range (below 1 µs, above an hour) is recorded at its edge; one that is not a number
   * at all is not recorded, rather than end a run that measured everything else.
   */
  recordMs(ms: number, count = 1): void {
    if (count <= 0 || !Number.isFinite(ms)) return;
    const us = Math.min(highestTrackableUs, Math.max(1, Math.round(ms * 1000)));
    this.histogram.recordValueWithCount(us, count);
  }

  percentileMs(p: number): number {
    return this.histogram.totalCount === 0 ? 0 : round3(this.histogram.getValueAtPercentile(p) / 1000);
  }

  /**
   * A percentile reads as the top of its histogram bucket, which can lie just above the largest value
   * recorded; clamped to the maximum, the columns never read p99.9 > max.
   */
  summary(): LatencySummary {
    const maxMs = this.histogram.totalCount === 0 ? 0 : round3(this.histogram.maxValue / 1000);
    const at = (p: number): number => Math.min(this.percentileMs(p), maxMs);
    return { p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), p999Ms: at(99.9), maxMs };
  }
}

export function summarize(
  count: number,
  errors: number,
  recordBytes: number,
  elapsedMs: number,
  latency: LatencyRecorder,
): BenchResult {
  const seconds = Math.max(elapsedMs, 1) / 1000;
  return {
    recordsPerSec: Math.round(count / seconds),
    mbPerSec: round3((count * recordBytes) / (1024 * 1024) / seconds),
    ...latency.summary(),
    count,
    errors,
  };
}

export const round3 = (n: number): number => Math.round(n * 1000) / 1000;

export interface ProduceBenchOptions {
  readonly topic: string;
  readonly count: number;
  readonly recordBytes: number;
  /** Sends awaiting their ack at once; 1 measures one-at-a-time latency. */
  readonly concurrency: number;
}

/** Sends `count` records of `recordBytes`, timing each from send() to its ack. */
export async function benchProduce(
  send: (record: ProducerRecord) => Promise<RecordAck>,
  options: ProduceBenchOptions,
  progress: Progress,
): Promise<BenchResult> {
  const values = new RandomValues(options.recordBytes);
  const latency = new LatencyRecorder();
  let next = 0;
  let acked = 0;
  let errors = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < options.count) {
      next++;
      const t0 = performance.now();
      try {
        await send({ topic: options.topic, value: values.take() });
        latency.recordMs(performance.now() - t0);
        acked++;
      } catch {
        errors++;
      }
      progress.increment(1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.count) }, worker));
  progress.stop();
  return summarize(acked, errors, options.recordBytes, performance.now() - started, latency);
}

/** Reads up to `count` records; latency is now minus each record's timestamp (end to end). */
export async function benchConsume(
  records: AsyncIterable<ConsumerRecord>,
  options: { count: number; idleTimeoutMs: number },
  progress: Progress,
): Promise<BenchResult> {
  const latency = new LatencyRecorder();
  let bytes = 0;
  const started = performance.now();
  const count = await consumeRecords(
    records,
    { max: options.count, idleTimeoutMs: options.idleTimeoutMs },
    (r) => {
      bytes += r.value?.length ?? 0;
      latency.recordMs(Math.max(0, Date.now() - r.timestampMs));
      progress.increment(1);
    },
  );
  progress.stop();
  return summarize(count, 0, count === 0 ? 0 : bytes / count, performance.now() - started, latency);
}
