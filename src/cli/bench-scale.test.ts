import { describe, expect, it } from 'vitest';
import { describeScaleBench, partitionsPerTopic, type ScaleBenchResult } from './bench-scale.js';
import { cpuSeconds, rssBytes } from './bench-scale-proc.js';

const result: ScaleBenchResult = {
  partitions: 2000,
  topics: 1,
  nodes: 3,
  createMs: 1000,
  allLedAfterCreateMs: 28_300,
  createLed: 2000,
  idle: [
    { node: 1, cpuPercent: 2.5, rssMiB: 237 },
    { node: 2, cpuPercent: 2.3, rssMiB: 216 },
    { node: 3, cpuPercent: 2.5, rssMiB: 225 },
  ],
  idleCpuPercent: 7.3,
  idleLoadAverage: 14.5,
  restartAllLedMs: undefined,
  restartLed: 1990,
  restartLoadAverage: 13.7,
};

describe('the scale benchmark', () => {
  it('spreads the partitions over the topics as evenly as can be', () => {
    expect(partitionsPerTopic(10, 3)).toEqual([4, 3, 3]);
    expect(partitionsPerTopic(10_000, 1)).toEqual([10_000]);
  });

  it('prints the row of the scale table, saying when not every partition came back', () => {
    const row = describeScaleBench(result).split('\n')[2];
    expect(row).toBe(
      '| 2,000 (1 topic) | 28.3 s | 216–237 MiB | 7.3% (2.5 + 2.3 + 2.5) | not all led (1990/2000) |',
    );
  });

  it('reads CPU time and RSS of a live process, and nothing of one that is gone', () => {
    expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(rssBytes(process.pid)).toBeGreaterThan(1024 * 1024);
    expect(cpuSeconds(2 ** 30)).toBeUndefined();
    expect(rssBytes(2 ** 30)).toBeUndefined();
  });
});
