import { describe, expect, it } from 'vitest';
import { formatDuration, formatMs, formatSeconds, timeTicks } from './time-axis.js';

describe('timeTicks', () => {
  it('uses clock-friendly steps and never more intervals than asked', () => {
    expect(timeTicks(66, 14)).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 60, 65]);
    expect(timeTicks(3600, 14)).toEqual([
      0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700, 3000, 3300, 3600,
    ]);
    for (const end of [0.5, 7, 66, 601, 7200, 86_400, 1_000_000]) {
      const ticks = timeTicks(end, 14);
      expect(ticks.length - 1).toBeLessThanOrEqual(14);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)).toBeLessThanOrEqual(end + 1e-9);
    }
  });
});

describe('formatting', () => {
  it('prints seconds in short runs and a clock in long ones', () => {
    expect(formatSeconds(15, 66)).toBe('15 s');
    expect(formatSeconds(0.5, 2)).toBe('0.5 s');
    expect(formatSeconds(750, 3600)).toBe('12:30');
    expect(formatSeconds(3900, 7200)).toBe('1:05:00');
  });

  it('prints instants and durations for people', () => {
    expect(formatMs(12_345)).toBe('12.345 s');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(4_240)).toBe('4.2 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
  });
});
