import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LatencyTimeline } from './latency-timeline.js';
import { renderSvg, writePlot } from './plot-writer.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function timeline(): LatencyTimeline {
  const t = new LatencyTimeline();
  for (let s = 0; s < 5; s++) for (let i = 1; i <= 100; i++) t.record(s * 1000 + i, i * (s + 1) * 0.1);
  return t;
}

describe('LatencyTimeline', () => {
  it('buckets latencies by the second they completed in', () => {
    const points = timeline().points();
    expect(points.map((p) => [p.second, p.count])).toEqual([0, 1, 2, 3, 4].map((s) => [s, 100]));
    // Second 2 held 0.3 … 30 ms.
    expect(points[2]?.maxMs).toBeCloseTo(30, 0);
    expect(points[2]?.p50Ms).toBeCloseTo(15, 0);
  });

  it('leaves an empty second empty (a stall shows as a gap)', () => {
    const t = new LatencyTimeline();
    t.record(100, 1);
    t.record(2_100, 1);
    expect(t.points().map((p) => p.count)).toEqual([1, 0, 1]);
    expect(t.points()[1]).toEqual({ second: 1, count: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, p999Ms: 0, maxMs: 0 });
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

describe('plot writer', () => {
  it('draws one line per percentile in each panel, with an escaped title', () => {
    const svg = renderSvg([
      { title: 'produce <1024 B> & more', points: timeline().points() },
      { title: 'e2e', points: timeline().points() },
    ]);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(10);
    expect(svg).toContain('produce &#60;1024 B&#62; &#38; more');
    for (const name of ['p50', 'p90', 'p99', 'p99.9', 'max']) expect(svg).toContain(`<title>${name}</title>`);
    // Five seconds, five points per line.
    const first = /points="([^"]*)"/.exec(svg)?.[1] ?? '';
    expect(first.split(' ')).toHaveLength(5);
  });

  it('writes a self-contained .svg or .html file and refuses other kinds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plot-'));
    dirs.push(dir);
    const panels = [{ title: 'run', points: timeline().points() }];
    writePlot(join(dir, 'a.svg'), panels);
    writePlot(join(dir, 'a.html'), panels);
    expect(readFileSync(join(dir, 'a.svg'), 'utf8')).toMatch(/^<svg /);
    const html = readFileSync(join(dir, 'a.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg ');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    expect(() => writePlot(join(dir, 'a.png'), panels)).toThrow(/\.svg or \.html/);
  });
});
