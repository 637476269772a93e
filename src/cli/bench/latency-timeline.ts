import { LatencyRecorder, type LatencySummary } from '../bench-runner.js';

/** One second of a run: how many operations completed in it and their latency percentiles. */
export interface TimelinePoint extends LatencySummary {
  /** Seconds since the run started (the bucket's start). */
  readonly second: number;
  readonly count: number;
}

/**
 * Latencies bucketed by the second they completed in, so a plot shows a stall or a slow drift that a
 * single run-wide percentile hides. Only the newest second has a histogram; a second is summed up into
 * its point once a later one begins, so memory grows by one small point a second whatever the rate.
 * A histogram per second kept for the whole run had to be a packed one to bound its memory, and
 * recording into that cost a closed-loop client about 1.5 µs of CPU a record, a tenth of all it spent.
 */
export class LatencyTimeline {
  private readonly closed: TimelinePoint[] = [];
  private open: OpenSecond | undefined;

  /**
   * `atMs`: when the operation completed, in ms since the run started, from a monotonic clock; one
   * that would fall into a second already summed up counts in the open one instead.
   */
  record(atMs: number, latencyMs: number): void {
    const second = Math.max(0, Math.floor(atMs / 1000));
    const open = this.open !== undefined && second <= this.open.second ? this.open : this.moveTo(second);
    open.recorder.recordMs(latencyMs);
  }

  points(): TimelinePoint[] {
    return this.open === undefined ? [...this.closed] : [...this.closed, pointOf(this.open)];
  }

  /** Sums up the open second and every empty one before `second`, then opens `second`. */
  private moveTo(second: number): OpenSecond {
    if (this.open !== undefined) this.closed.push(pointOf(this.open));
    for (let s = this.open === undefined ? 0 : this.open.second + 1; s < second; s++) {
      this.closed.push({ second: s, count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    }
    this.open = { second, recorder: new LatencyRecorder() };
    return this.open;
  }
}

interface OpenSecond {
  readonly second: number;
  readonly recorder: LatencyRecorder;
}

function pointOf(open: OpenSecond): TimelinePoint {
  return { second: open.second, count: open.recorder.count, ...open.recorder.summary() };
}
