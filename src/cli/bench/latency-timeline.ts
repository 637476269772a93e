import { LatencyRecorder, type LatencySummary } from '../bench-runner.js';

/** One second of a run: how many operations completed in it and their latency percentiles. */
export interface TimelinePoint extends LatencySummary {
  /** Seconds since the run started (the bucket's start). */
  readonly second: number;
  readonly count: number;
}

/**
 * Latencies bucketed by the second they completed in, so a plot shows a stall or a slow drift that a
 * single run-wide percentile hides. Each bucket is a packed HDR histogram: memory grows with seconds,
 * not with operations.
 */
export class LatencyTimeline {
  private readonly buckets: LatencyRecorder[] = [];

  /** `atMs`: when the operation completed, in ms since the run started. */
  record(atMs: number, latencyMs: number): void {
    const second = Math.max(0, Math.floor(atMs / 1000));
    while (this.buckets.length <= second) this.buckets.push(new LatencyRecorder(true));
    this.buckets[second]?.recordMs(latencyMs);
  }

  points(): TimelinePoint[] {
    return this.buckets.map((bucket, second) => ({ second, count: bucket.count, ...bucket.summary() }));
  }
}
