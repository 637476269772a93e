import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from './bench-runner.js';
import { LatencyTimeline } from './bench/index.js';

describe('LatencyRecorder', () => {
  it('records values beyond its range at the edge and skips what is not a number', () => {
    const recorder = new LatencyRecorder();
    recorder.recordMs(2.5);
    recorder.recordMs(1e12);
    recorder.recordMs(-5);
    recorder.recordMs(Number.NaN);
    recorder.recordMs(Number.POSITIVE_INFINITY);
    expect(recorder.count).toBe(3);
    expect(recorder.summary().maxMs).toBeGreaterThanOrEqual(3_599_000);
    expect(recorder.percentileMs(0)).toBeLessThan(0.01);
  });

  it('keeps a timeline of latencies from every range without failing', () => {
    const timeline = new LatencyTimeline();
    for (let i = 0; i < 5000; i++) timeline.record(i, i % 2 === 0 ? 1e9 * Math.random() : Math.random());
    expect(timeline.points().reduce((n, p) => n + p.count, 0)).toBe(5000);
  });

  it('sums up each second on its own, with a zero point for a second in which nothing completed', () => {
    const timeline = new LatencyTimeline();
    for (let i = 0; i < 100; i++) timeline.record(10 + i, 1);
    timeline.record(2500, 40);
    timeline.record(2600, 60);
    const points = timeline.points();
    expect(points.map((p) => [p.second, p.count])).toEqual([
      [0, 100],
      [1, 0],
      [2, 2],
    ]);
    expect(points[0]?.maxMs).toBe(1);
    expect(points[1]).toEqual({ second: 1, count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
    expect(points[2]?.p50Ms).toBeCloseTo(40, 1);
    expect(points[2]?.maxMs).toBeCloseTo(60, 1);
  });

  it('counts a completion stamped before the open second in the open one, losing none', () => {
    const timeline = new LatencyTimeline();
    timeline.record(1500, 5);
    timeline.record(900, 7);
    expect(timeline.points().map((p) => [p.second, p.count])).toEqual([
      [0, 0],
      [1, 2],
    ]);
    expect(new LatencyTimeline().points()).toEqual([]);
  });
});
