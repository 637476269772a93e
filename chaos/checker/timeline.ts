import { percentilesOf } from './percentiles.js';
import type { Percentiles, SecondSample } from './types.js';

interface Bucket {
  ok: number;
  fail: number;
  info: number;
  readonly latencies: number[];
}

/** Completions of client operations per second of the run, and the latency of ok sends. */
export class Timeline {
  private firstSecond: number | undefined;
  private readonly buckets: Bucket[] = [];
  private readonly latencies: number[] = [];

  /** Every event stretches the timeline, so quiet seconds show as zeros rather than vanish. */
  seen(time: number): void {
    this.bucket(time);
  }

  completed(time: number, type: 'ok' | 'fail' | 'info'): void {
    this.bucket(time)[type]++;
  }

  sendAcknowledged(time: number, latencyMs: number): void {
    this.bucket(time).latencies.push(latencyMs);
    this.latencies.push(latencyMs);
  }

  samples(): SecondSample[] {
    const first = this.firstSecond ?? 0;
    return this.buckets.map((b, i) => {
      const latencyMs = percentilesOf(b.latencies);
      const sample = { second: first + i, ok: b.ok, fail: b.fail, info: b.info };
      return latencyMs === undefined ? sample : { ...sample, latencyMs };
    });
  }

  sendLatency(): Percentiles | undefined {
    return percentilesOf(this.latencies);
  }

  // Times never decrease (the scan checks), so the first event fixes the first second.
  private bucket(time: number): Bucket {
    const second = Math.floor(time / 1000);
    this.firstSecond ??= second;
    const i = second - this.firstSecond;
    while (this.buckets.length <= i) this.buckets.push({ ok: 0, fail: 0, info: 0, latencies: [] });
    const bucket = this.buckets[i];
    if (bucket === undefined) throw new RangeError(`time ${time} before the first event`);
    return bucket;
  }
}
