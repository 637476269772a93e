import type { SecondSample } from '../checker/types.js';

/** Completions per second averaged over a bucket of whole seconds, and the send latency within it. */
export interface SecondBucket {
  readonly fromS: number;
  readonly toS: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly p50?: number;
  readonly p99?: number;
}

/**
 * Groups the checker's seconds (missing seconds count as idle) into at most `maxPoints` buckets of
 * equal width. Rates are averaged; latency keeps the median of the medians and the worst p99, so a
 * long run's plot still shows its spikes.
 */
export function secondBuckets(timeline: readonly SecondSample[], maxPoints: number): SecondBucket[] {
  const bySecond = new Map(timeline.map((s) => [s.second, s]));
  const seconds = timeline.reduce((n, s) => Math.max(n, s.second + 1), 0);
  const width = Math.max(1, Math.ceil(seconds / Math.max(1, maxPoints)));
  const buckets: SecondBucket[] = [];
  for (let from = 0; from < seconds; from += width) {
    const to = Math.min(seconds, from + width);
    const samples: SecondSample[] = [];
    for (let s = from; s < to; s++) {
      const sample = bySecond.get(s);
      if (sample !== undefined) samples.push(sample);
    }
    buckets.push(bucket(from, to, samples));
  }
  return buckets;
}

function bucket(fromS: number, toS: number, samples: readonly SecondSample[]): SecondBucket {
  const span = toS - fromS;
  const sum = (pick: (s: SecondSample) => number): number => samples.reduce((n, s) => n + pick(s), 0) / span;
  const latencies = samples.flatMap((s) => (s.latencyMs === undefined ? [] : [s.latencyMs]));
  const rates = { fromS, toS, ok: sum((s) => s.ok), fail: sum((s) => s.fail), info: sum((s) => s.info) };
  if (latencies.length === 0) return rates;
  return {
    ...rates,
    p50: median(latencies.map((l) => l.p50)),
    p99: Math.max(...latencies.map((l) => l.p99)),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}
