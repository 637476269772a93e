import { afterEach, describe, expect, it } from 'vitest';
import {
  applyClockOffset,
  applyClockOffsetFromEnv,
  clockOffsetMsMax,
  parseClockOffset,
} from './clock-offset.js';

const hour = 60 * 60 * 1000;

describe('RAFTLOG_CLOCK_OFFSET_MS', () => {
  it('accepts signed integers up to a day either way, and nothing as no offset', () => {
    expect(parseClockOffset(undefined)).toBe(0);
    expect(parseClockOffset('')).toBe(0);
    expect(parseClockOffset('60000')).toBe(60_000);
    expect(parseClockOffset('+60000')).toBe(60_000);
    expect(parseClockOffset(' -60000 ')).toBe(-60_000);
    expect(parseClockOffset(String(clockOffsetMsMax))).toBe(clockOffsetMsMax);
    expect(parseClockOffset(String(-clockOffsetMsMax))).toBe(-clockOffsetMsMax);
  });

  it.each(['1.5', '1e3', 'abc', '60s', '0x10', String(clockOffsetMsMax + 1), '-86400001', '9'.repeat(20)])(
    'refuses %s with a message naming the setting',
    (raw) => {
      expect(() => parseClockOffset(raw)).toThrow(/RAFTLOG_CLOCK_OFFSET_MS must be an integer/);
    },
  );
});

const RealDate = globalThis.Date;

describe('a skewed wall clock', () => {
  afterEach(() => {
    globalThis.Date = RealDate;
  });

  it('moves Date.now, new Date() and Date() by the offset and leaves explicit dates alone', () => {
    const before = Date.now();
    const restore = applyClockOffset(3 * hour);
    const now = Date.now();
    const date = new Date();
    const text = Date();
    restore();
    const after = Date.now();
    expect(now).toBeGreaterThanOrEqual(before + 3 * hour);
    expect(now).toBeLessThanOrEqual(after + 3 * hour);
    expect(date.getTime()).toBeGreaterThanOrEqual(before + 3 * hour);
    expect(date.getTime()).toBeLessThanOrEqual(after + 3 * hour);
    expect(date).toBeInstanceOf(Date);
    expect(Date.parse(text)).toBeGreaterThanOrEqual(Math.floor((before + 3 * hour) / 1000) * 1000);
    expect(new Date(0).getTime()).toBe(0);
  });

  it('keeps the monotonic clock and static methods as they are', () => {
    const monotonic = performance.now();
    applyClockOffset(-5 * hour);
    expect(performance.now() - monotonic).toBeLessThan(hour);
    expect(Date.UTC(2020, 0, 1)).toBe(1_577_836_800_000);
    expect(Date.parse('2020-01-01T00:00:00Z')).toBe(1_577_836_800_000);
    expect(Date.now()).toBeLessThan(performance.timeOrigin + performance.now() - 4 * hour);
  });

  it('is undone by what it returns', () => {
    const before = Date.now();
    applyClockOffset(hour)();
    expect(Date.now()).toBeLessThan(before + hour);
  });

  it('is read from the environment, and a bad value changes nothing', () => {
    expect(() => applyClockOffsetFromEnv({ RAFTLOG_CLOCK_OFFSET_MS: 'soon' })).toThrow(/got "soon"/);
    expect(Date).toBe(RealDate);
    const before = Date.now();
    expect(applyClockOffsetFromEnv({ RAFTLOG_CLOCK_OFFSET_MS: '7200000' })).toBe(2 * hour);
    expect(Date.now()).toBeGreaterThanOrEqual(before + 2 * hour);
  });
});
