import { describe, expect, it } from 'vitest';
import type { Percentiles, SecondSample } from '../checker/types.js';
import { secondBuckets } from './second-buckets.js';

const latency = (p50: number, p99: number): Percentiles => ({ p50, p99, max: p99 });

describe('secondBuckets', () => {
  it('keeps one bucket per second when there is room, missing seconds counting as idle', () => {
    const b = secondBuckets(
      [
        { second: 0, ok: 10, fail: 1, info: 0, latencyMs: latency(3, 9) },
        { second: 2, ok: 4, fail: 0, info: 2 },
      ],
      100,
    );
    expect(b).toEqual([
      { fromS: 0, toS: 1, ok: 10, fail: 1, info: 0, p50: 3, p99: 9 },
      { fromS: 1, toS: 2, ok: 0, fail: 0, info: 0 },
      { fromS: 2, toS: 3, ok: 4, fail: 0, info: 2 },
    ]);
  });

  it('averages rates over wider buckets and keeps the worst p99 and the median p50', () => {
    const timeline: SecondSample[] = [
      { second: 0, ok: 10, fail: 0, info: 0, latencyMs: latency(2, 10) },
      { second: 1, ok: 20, fail: 2, info: 0, latencyMs: latency(4, 900) },
      { second: 2, ok: 30, fail: 0, info: 1, latencyMs: latency(3, 20) },
      { second: 3, ok: 0, fail: 0, info: 3 },
    ];
    const [first, second] = secondBuckets(timeline, 2);
    expect(first).toEqual({ fromS: 0, toS: 2, ok: 15, fail: 1, info: 0, p50: 2, p99: 900 });
    expect(second).toEqual({ fromS: 2, toS: 4, ok: 15, fail: 0, info: 2, p50: 3, p99: 20 });
  });

  it('never returns more buckets than allowed, however long the run', () => {
    const timeline = Array.from({ length: 86_400 }, (_, second) => ({ second, ok: 1, fail: 0, info: 0 }));
    const b = secondBuckets(timeline, 1500);
    expect(b.length).toBeLessThanOrEqual(1500);
    expect(b.at(-1)?.toS).toBe(86_400);
    expect(b.every((x) => x.ok === 1)).toBe(true);
  });

  it('is empty for an empty timeline', () => {
    expect(secondBuckets([], 100)).toEqual([]);
  });
});
