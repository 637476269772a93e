import { describe, expect, it } from 'vitest';
import { parseExposition, sumOf } from './exposition.js';
import { nodeCosts, nodeCostTable, readingOf } from './node-costs.js';

/** What prom-client renders for a node: CPU, and GC pauses by kind in the node's buckets. */
function exposition(cpuSeconds: number, minor: { upTo2Ms: number; upTo5Ms: number; count: number }): string {
  return [
    '# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.',
    '# TYPE process_cpu_seconds_total counter',
    `process_cpu_seconds_total{node="1"} ${cpuSeconds}`,
    `nodejs_gc_duration_seconds_bucket{le="0.001",node="1",kind="minor"} ${minor.upTo2Ms - 1}`,
    `nodejs_gc_duration_seconds_bucket{le="0.002",node="1",kind="minor"} ${minor.upTo2Ms}`,
    `nodejs_gc_duration_seconds_bucket{le="0.005",node="1",kind="minor"} ${minor.upTo5Ms}`,
    `nodejs_gc_duration_seconds_bucket{le="+Inf",node="1",kind="minor"} ${minor.count}`,
    `nodejs_gc_duration_seconds_sum{node="1",kind="minor"} ${minor.count * 0.0015}`,
    `nodejs_gc_duration_seconds_count{node="1",kind="minor"} ${minor.count}`,
    `nodejs_gc_duration_seconds_bucket{le="0.002",node="1",kind="major"} 0`,
    `nodejs_gc_duration_seconds_bucket{le="0.005",node="1",kind="major"} 1`,
    `nodejs_gc_duration_seconds_sum{node="1",kind="major"} 0.004`,
    `nodejs_gc_duration_seconds_count{node="1",kind="major"} 1`,
    '',
  ].join('\n');
}

describe('parseExposition', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const samples = parseExposition(
      '# TYPE x counter\nx{a="1",b="say \\"hi\\""} 3\ny 2.5\nz{le="+Inf"} +Inf 1700000000000\n',
    );
    expect(samples).toEqual([
      { name: 'x', labels: { a: '1', b: 'say "hi"' }, value: 3 },
      { name: 'y', labels: {}, value: 2.5 },
      { name: 'z', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY },
    ]);
    expect(sumOf(samples, 'x', { a: '1' })).toBe(3);
    expect(sumOf(samples, 'x', { a: '2' })).toBe(0);
  });

  it('refuses a line that is no sample', () => {
    expect(() => parseExposition('<html>not metrics</html>')).toThrow(/not a Prometheus sample line/);
  });
});

describe('nodeCosts', () => {
  it('gives CPU and GC time per record and counts the pauses above 2 and 5 ms, over every GC kind', () => {
    const before = readingOf(1, parseExposition(exposition(10, { upTo2Ms: 10, upTo5Ms: 12, count: 12 })));
    const after = readingOf(1, parseExposition(exposition(12.5, { upTo2Ms: 50, upTo5Ms: 60, count: 64 })));
    const [cost] = nodeCosts([before], [after], 1000);
    expect(cost?.nodeId).toBe(1);
    expect(cost?.cpuMsPerRecord).toBeCloseTo(2.5, 9);
    expect(cost?.gcMsPerRecord).toBeCloseTo((52 * 1.5) / 1000, 9);
    // 52 pauses: 40 within 2 ms, 8 more within 5 ms, 4 above; the major pause counted before and after.
    expect(cost?.gcPauses).toBe(52);
    expect(cost?.gcPausesOver2Ms).toBe(12);
    expect(cost?.gcPausesOver5Ms).toBe(4);
    expect(nodeCostTable(nodeCosts([before], [after], 1000)).split('\n')).toEqual([
      'node  CPU ms/record  GC ms/record  GC pauses  > 2 ms  > 5 ms',
      '1               2.5         0.078         52      12       4',
    ]);
  });

  it('leaves the counts above 2 and 5 ms unknown for a node with prom-client’s default buckets', () => {
    const text =
      'process_cpu_seconds_total 1\nnodejs_gc_duration_seconds_bucket{le="0.001",kind="minor"} 3\n';
    const reading = readingOf(2, parseExposition(text));
    const [cost] = nodeCosts([reading], [reading], 10);
    expect(cost).toMatchObject({
      nodeId: 2,
      cpuMsPerRecord: 0,
      gcPausesOver2Ms: null,
      gcPausesOver5Ms: null,
    });
  });

  it('leaves out a node that was not read both times', () => {
    const reading = readingOf(3, parseExposition('process_cpu_seconds_total 1\n'));
    expect(nodeCosts([], [reading], 10)).toEqual([]);
  });
});
