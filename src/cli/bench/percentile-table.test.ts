import { describe, expect, it } from 'vitest';
import { LatencyRecorder } from '../bench-runner.js';
import { formatCount, formatMs, formatTable, latencyColumns } from './percentile-table.js';

describe('LatencyRecorder.summary', () => {
  it('gives p50, p90, p99, p99.9 and max of what was recorded', () => {
    const r = new LatencyRecorder();
    for (let ms = 1; ms <= 1000; ms++) r.recordMs(ms);
    const s = r.summary();
    expect(s.p50Ms).toBeCloseTo(500, -1);
    expect(s.p90Ms).toBeCloseTo(900, -1);
    expect(s.p99Ms).toBeCloseTo(990, -1);
    expect(s.p999Ms).toBeCloseTo(999, -1);
    expect(s.maxMs).toBeCloseTo(1000, -1);
    expect(r.count).toBe(1000);
  });

  it('is all zeros with nothing recorded', () => {
    expect(new LatencyRecorder().summary()).toEqual({
      p50Ms: 0,
      p90Ms: 0,
      p99Ms: 0,
      p999Ms: 0,
      maxMs: 0,
    });
  });
});

describe('formatTable', () => {
  it('pads the first column left and the figures right', () => {
    const rows = [
      { name: 'raftlog', rate: 12345, p: { p50Ms: 4.123, p90Ms: 9, p99Ms: 21.55, p999Ms: 40, maxMs: 123.4 } },
      { name: 'nats', rate: 800, p: { p50Ms: 0.8, p90Ms: 1.2, p99Ms: 3, p999Ms: 5, maxMs: 9 } },
    ];
    const text = formatTable(
      [
        { header: 'target', cell: (r: (typeof rows)[number]) => r.name },
        { header: 'rec/s', cell: (r) => formatCount(r.rate) },
        ...latencyColumns((r: (typeof rows)[number]) => r.p),
      ],
      rows,
    );
    expect(text.split('\n')).toEqual([
      'target    rec/s  p50 ms  p90 ms  p99 ms  p99.9 ms  max ms',
      'raftlog  12,345    4.12       9    21.6        40     123',
      'nats        800     0.8     1.2       3         5       9',
    ]);
  });

  it('formats milliseconds to three significant figures', () => {
    expect([0.41234, 4.1234, 41.234, 412.34, 0].map(formatMs)).toEqual(['0.412', '4.12', '41.2', '412', '0']);
  });
});

describe('LatencyRecorder percentiles near the top', () => {
  it('never reads a percentile above the largest value recorded', () => {
    const r = new LatencyRecorder();
    // 1215.376 ms sits inside a bucket whose top is higher: p99.9 must still not exceed it.
    for (let i = 0; i < 999; i++) r.recordMs(1);
    r.recordMs(1215.376);
    r.recordMs(1215.376);
    const s = r.summary();
    expect(s.maxMs).toBeCloseTo(1215.376, 0);
    expect(s.p999Ms).toBeLessThanOrEqual(s.maxMs);
    expect(s.p99Ms).toBeLessThanOrEqual(s.p999Ms);
  });
});
