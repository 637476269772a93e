import { describe, expect, it } from 'vitest';
import { formatValue, latencyScale, linearScale, logScale, niceStep, roundLog } from './scales.js';

describe('niceStep', () => {
  it('rounds up to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.2)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(0.013)).toBe(0.02);
    expect(niceStep(420)).toBe(500);
  });

  it('falls back to 1 for nonsense', () => {
    expect(niceStep(0)).toBe(1);
    expect(niceStep(Number.NaN)).toBe(1);
  });
});

describe('linearScale', () => {
  it('runs from 0 to a round top at or above the maximum, mapping onto the range', () => {
    const s = linearScale(373, [100, 0], 4);
    expect(s.ticks).toEqual([0, 100, 200, 300, 400]);
    expect(s.at(0)).toBe(100);
    expect(s.at(400)).toBe(0);
    expect(s.at(200)).toBe(50);
    expect(s.log).toBe(false);
  });

  it('has a usable axis when everything is zero', () => {
    const s = linearScale(0, [100, 0]);
    expect(s.ticks.at(-1)).toBeGreaterThan(0);
    expect(Number.isFinite(s.at(0))).toBe(true);
  });
});

describe('logScale', () => {
  it('widens to 1-2-5 bounds and puts equal ratios at equal distances', () => {
    const s = logScale(3, 1700, [300, 0]);
    expect(s.ticks[0]).toBe(2);
    expect(s.ticks.at(-1)).toBe(2000);
    expect(s.ticks).toContain(10);
    expect(s.ticks).toContain(100);
    expect(s.at(2)).toBeCloseTo(300);
    expect(s.at(2000)).toBeCloseTo(0);
    expect(s.at(20) - s.at(200)).toBeCloseTo(s.at(200) - s.at(2000));
    expect(s.log).toBe(true);
  });

  it('keeps the powers of ten only when the range spans many decades', () => {
    const s = logScale(1, 1e6, [100, 0]);
    expect(s.ticks).toEqual([1, 10, 100, 1000, 10000, 100000, 1000000]);
  });

  it('clamps values below the bottom to the bottom', () => {
    const s = logScale(5, 500, [100, 0]);
    expect(s.at(0)).toBe(100);
  });

  it('rounds to 1-2-5 values', () => {
    expect(roundLog(3, false)).toBe(2);
    expect(roundLog(3, true)).toBe(5);
    expect(roundLog(700, true)).toBe(1000);
    expect(roundLog(0.03, false)).toBe(0.02);
  });
});

describe('latencyScale', () => {
  it('is linear while latencies stay within a factor of 20, logarithmic beyond', () => {
    expect(latencyScale([3, 5, 40], [100, 0]).log).toBe(false);
    expect(latencyScale([3, 5, 1500], [100, 0]).log).toBe(true);
  });

  it('ignores zeros and copes with no data at all', () => {
    expect(latencyScale([0, 2, 30], [100, 0]).log).toBe(false);
    expect(latencyScale([], [100, 0]).ticks.length).toBeGreaterThan(1);
  });
});

describe('formatValue', () => {
  it('keeps axis labels short', () => {
    expect(formatValue(0.30000000000000004)).toBe('0.3');
    expect(formatValue(1234)).toBe('1234');
    expect(formatValue(25_000)).toBe('25k');
    expect(formatValue(2_000_000)).toBe('2M');
  });
});
