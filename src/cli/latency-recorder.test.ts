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
});
