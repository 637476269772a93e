import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BenchTarget } from './bench-target.js';
import { runSideBySide, sideBySideJson, sideBySideTable, spreadOf, type TargetRun } from './side-by-side.js';
import { describePoint, runSweep, type SweepPoint } from './sweep.js';

function run(produce: number, p50: number, p99: number, consume: number): TargetRun {
  return {
    produceRecordsPerSec: produce,
    produceErrors: 0,
    oneAtATime: { p50Ms: p50, p90Ms: p50, p99Ms: p99, p999Ms: p99, maxMs: p99 },
    consumeRecordsPerSec: consume,
    consumed: 10,
    expected: 10,
    loadAverage: 2.5,
  };
}

describe('side-by-side table', () => {
  it('takes the median of the runs with their range', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3 });
    expect(spreadOf([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
    expect(spreadOf([])).toEqual({ median: 0, min: 0, max: 0 });
  });

  it('prints one row per target, median (min–max) of each figure', () => {
    const reports = [
      {
        name: 'raftlog',
        runs: [run(9000, 4, 20, 40000), run(10000, 5, 22, 45000), run(9500, 4.5, 30, 43000)],
      },
      { name: 'nats', runs: [run(8000, 1, 5, 52000)] },
    ];
    const lines = sideBySideTable(reports).split('\n');
    expect(lines[0]).toMatch(
      /^target\s+produce rec\/s\s+one-at-a-time p50 ms\s+p99 ms\s+consume rec\/s\s+load avg$/,
    );
    expect(lines[1]).toMatch(
      /^raftlog\s+9,500 \(9,000–10,000\)\s+4\.5 \(4–5\)\s+22 \(20–30\)\s+43,000 \(40,000–45,000\)\s+2\.5\/2\.5\/2\.5$/,
    );
    expect(lines[2]).toMatch(/^nats\s+8,000\s+1\s+5\s+52,000\s+2\.5$/);
    expect(sideBySideJson(reports)[0]).toMatchObject({
      target: 'raftlog',
      produceRecordsPerSec: { median: 9500, min: 9000, max: 10000 },
      oneAtATimeP99Ms: { median: 22, min: 20, max: 30 },
    });
  });
});

/** A broker in memory: acknowledges at once, delivers what was sent to the current destination. */
function memoryTarget(name: string, prepared: string[]): BenchTarget {
  let sent: Uint8Array[] = [];
  return {
    name,
    prepare: () => {
      prepared.push(name);
      sent = [];
      return Promise.resolve();
    },
    sender: () =>
      Promise.resolve({
        send: (value: Uint8Array) => Promise.resolve(void sent.push(value)),
        close: () => Promise.resolve(),
      }),
    subscribe: (onValue) => {
      for (const v of sent) onValue(v);
      return Promise.resolve({ stop: () => Promise.resolve() });
    },
    close: () => Promise.resolve(),
  };
}

describe('runSideBySide', () => {
  it('runs the warm-up rounds first, every target alike, and records only the runs after them', async () => {
    const prepared: string[] = [];
    const targets = [memoryTarget('a', prepared), memoryTarget('b', prepared)];
    let t = 0;
    const time = { now: () => (t += 1), sleep: () => Promise.resolve() };
    const options = { runs: 2, warmupRuns: 1, count: 20, latencyCount: 5, recordBytes: 8, concurrency: 4 };
    const { signal } = new AbortController();
    const reports = await runSideBySide(targets, { ...options, idleTimeoutMs: 1_000, signal }, time);
    expect(prepared).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(reports.map((r) => r.runs.length)).toEqual([2, 2]);
    for (const r of reports)
      for (const run of r.runs) expect(run).toMatchObject({ consumed: 25, expected: 25 });
    // The bench's one signal serves every run: a run that ends leaves no listener on it.
    expect(getEventListeners(signal, 'abort')).toEqual([]);
  });
});

describe('runSweep', () => {
  it('measures the peak of each size first, then runs at the shares of it', async () => {
    const seen: SweepPoint[] = [];
    const results = await runSweep(
      [100, 1024],
      { rateOfPeak: [0.5, 0.8] },
      (p) => {
        seen.push(p);
        return Promise.resolve(p.ratePerSec ?? (p.recordBytes === 100 ? 1000 : 500));
      },
      (peak) => peak,
    );
    expect(seen).toEqual([
      { recordBytes: 100 },
      { recordBytes: 100, ratePerSec: 500, rateOfPeak: 0.5 },
      { recordBytes: 100, ratePerSec: 800, rateOfPeak: 0.8 },
      { recordBytes: 1024 },
      { recordBytes: 1024, ratePerSec: 250, rateOfPeak: 0.5 },
      { recordBytes: 1024, ratePerSec: 400, rateOfPeak: 0.8 },
    ]);
    expect(results).toEqual([1000, 500, 800, 500, 250, 400]);
    expect(describePoint(seen[1]!)).toBe('100 B, 500 rec/s (50% of peak)');
  });

  it('runs one fixed rate, or the closed loop alone, per size', async () => {
    const fixed: SweepPoint[] = [];
    await runSweep(
      [1, 2],
      { ratePerSec: 7 },
      (p) => Promise.resolve(fixed.push(p)),
      () => 0,
    );
    expect(fixed).toEqual([
      { recordBytes: 1, ratePerSec: 7 },
      { recordBytes: 2, ratePerSec: 7 },
    ]);
    const closed: SweepPoint[] = [];
    await runSweep(
      [1],
      {},
      (p) => Promise.resolve(closed.push(p)),
      () => 0,
    );
    expect(closed).toEqual([{ recordBytes: 1 }]);
  });
});
