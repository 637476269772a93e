import { describe, expect, it } from 'vitest';
import { anomalyNames, type Anomaly } from '../checker/types.js';
import { CraftedHistory, emptyResult, zeroCounts } from './crafted-history.js';
import { craftedCounts, craftedReportInput, hostileMessage, hostileValue } from './crafted-input.js';
import { escapeHtml } from './escape-html.js';
import { renderReport } from './index.js';
import type { ReportInput } from './types.js';

function count(html: string, pattern: RegExp): number {
  return html.match(new RegExp(pattern.source, 'g'))?.length ?? 0;
}

/** The change ticks of all leader rows, drawn as one path per row. */
function leaderTicks(html: string): string {
  return [...html.matchAll(/<path class="leader-change" d="([^"]*)"/g)].map((m) => m[1]).join('');
}

function expectNoGarbage(html: string): void {
  expect(html).not.toMatch(/NaN|undefined|Infinity|\[object/);
}

describe('renderReport', () => {
  const input = craftedReportInput();
  const html = renderReport(input);

  it('leads with the verdict and the run settings', () => {
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<div class="verdict" id="verdict">INVALID</div>');
    expect(html).toContain('<header class="head invalid">');
    expect(html).toContain('<title>raftlog chaos: INVALID, crafted, seed 42</title>');
    expect(html).toContain('npm run chaos -- --scenario crafted --nodes 3 --duration 30 --seed 42');
    expect(html).toContain('p50 480 ms · max 1450 ms');
    expectNoGarbage(html);
  });

  it('sums up the queue workload when the run had one', () => {
    expect(html).not.toContain('<h3>Queue</h3>');
    const queue = {
      enqueued: { ok: 10, fail: 0, info: 1 },
      deliveries: 12,
      redeliveries: 2,
      deliveriesPerMessage: { '1': 8, '2': 2 },
      acks: { ok: 10, failed: 1, unknown: 0 },
      nacks: { ok: 1, failed: 0, unknown: 0 },
      ackUnknown: 0,
    };
    const withQueue = renderReport({ ...input, result: { ...input.result, queue } });
    expect(withQueue).toContain('<h3>Queue</h3>');
    expect(withQueue).toContain('deliveries 12 (redeliveries 2; messages×deliveries 8×1 2×2)');
    expect(withQueue).toContain('acks ok 10 · failed 1 · unknown 0');
    expectNoGarbage(withQueue);
  });

  it('lists every anomaly name with its count, zeros greyed', () => {
    for (const name of anomalyNames) expect(html).toContain(`${name} `);
    expect(html).toContain('<span class="chip bad">lost-write 1</span>');
    expect(html).toContain('<span class="chip zero">duplicate 0</span>');
    expect(count(html, /<span class="chip zero">/)).toBe(anomalyNames.length - 2);
  });

  it('draws each fault, leader segment, change, outage and latency run once', () => {
    expect(count(html, /<rect class="fault[ "]/)).toBe(craftedCounts.faultRects);
    expect(count(html, /<rect class="fault open"/)).toBe(craftedCounts.openFaults);
    expect(count(html, /<rect class="leader"/)).toBe(craftedCounts.leaderRects);
    expect(count(html, /<rect class="no-leader"/)).toBe(craftedCounts.noLeaderRects);
    expect(count(leaderTicks(html), /M/)).toBe(craftedCounts.leaderChanges);
    expect(count(html, /<rect class="unavailable"/)).toBe(craftedCounts.unavailable);
    expect(count(html, /<polyline class="latency/)).toBe(craftedCounts.latencyLines);
    expect(count(html, /<polygon class="throughput/)).toBe(3);
    expect(html).toContain('log scale');
  });

  it('puts faults on the rows of their nodes and cluster-wide ones on their own row', () => {
    for (const label of ['node 1', 'node 2', 'node 3', 'cluster', 'chaos/0', 'chaos/1']) {
      expect(html).toContain(`>${label}</text>`);
    }
  });

  it('escapes everything that came from the history or the checker', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).toContain(escapeHtml(hostileValue));
    expect(html).toContain(escapeHtml(hostileMessage));
    const hostile: ReportInput = { ...input, scenario: '"><b>x</b>', command: 'run --x "<y>"' };
    const page = renderReport(hostile);
    expect(page).not.toContain('<b>x</b>');
    expect(page).toContain('&quot;&gt;&lt;b&gt;x&lt;/b&gt;');
    expect(page).toContain('run --x &quot;&lt;y&gt;&quot;');
  });

  it('shows the operations of each anomaly from the history, and says when one is missing', () => {
    expect(html).toContain('v2 at offset 1');
    expect(html).toContain('from 0: 2 records [0 v1] [1 v9]');
    expect(html).toContain('<td>#99999</td><td colspan="6">not in the history</td>');
  });

  it('lists failovers in the order of their faults with what the fault was', () => {
    const partition = html.indexOf(
      'isolate node 2 (both directions)</td><td>2.000 s</td><td class="num">1450 ms',
    );
    const kill = html.indexOf('SIGKILL node 1</td><td>10.000 s</td><td class="num">480 ms');
    expect(partition).toBeGreaterThan(0);
    expect(kill).toBeGreaterThan(partition);
  });

  it('renders a run that recorded nothing', () => {
    const empty = renderReport({
      scenario: 'none',
      seed: 1,
      nodes: 3,
      durationS: 0,
      startedAt: '2026-12-02T12:00:00.000Z',
      history: [],
      result: emptyResult(),
    });
    expect(empty).toContain('id="verdict">VALID<');
    expect(empty).toContain('Leaders (none observed)');
    expect(empty).toContain('<p class="none">None found.</p>');
    expect(empty).toContain('No faults measured.');
    expect(empty).toContain('<span class="zero">no fault measured</span>');
    expect(count(empty, /<rect class="fault/)).toBe(0);
    expect(count(empty, /<polyline/)).toBe(0);
    expectNoGarbage(empty);
  });
});

describe('renderReport on a long run', () => {
  const hours = 6;
  const seconds = hours * 3600;
  const keys = Array.from({ length: 40 }, (_, i) => `t/${i}`);

  function longInput(): ReportInput {
    const h = new CraftedHistory();
    for (let t = 0; t < seconds * 1000; t += 1000) {
      for (const [k, key] of keys.entries()) h.leader(t + k, key, ((t / 1000 + k) % 3) + 1);
      if (t % 5000 === 0) h.fault(t, 'start', 'kill', [((t / 5000) % 3) + 1], 'kill');
      if (t % 5000 === 3000) h.fault(t, 'end', 'kill', [(((t - 3000) / 5000) % 3) + 1]);
    }
    const anomalies: Anomaly[] = Array.from({ length: 50 }, (_, i) => ({
      name: 'duplicate',
      key: 't/0',
      message: `value v${i} read at two offsets`,
      ops: Array.from({ length: 40 }, (_, j) => i * 40 + j),
    }));
    return {
      scenario: 'long',
      seed: 3,
      nodes: 3,
      durationS: seconds,
      startedAt: '2026-12-02T12:00:00.000Z',
      history: h.events,
      result: emptyResult({
        valid: false,
        anomalyCounts: { ...zeroCounts(), duplicate: 50 },
        anomalies,
        timeline: Array.from({ length: seconds }, (_, second) => ({
          second,
          ok: 100 + (second % 7),
          fail: second % 11 === 0 ? 3 : 0,
          info: 0,
          latencyMs: { p50: 3 + (second % 5), p99: 20 + (second % 13), max: 50 },
        })),
      }),
    };
  }

  it('stays small however long the run was', () => {
    const input = longInput();
    expect(input.history.length).toBeGreaterThan(800_000);
    const html = renderReport(input);
    expect(html.length).toBeLessThan(1_500_000);
    expect(count(html, /<rect class="(leader|no-leader)"/)).toBeLessThanOrEqual(6000);
    expect(count(leaderTicks(html), /M/)).toBeLessThanOrEqual(6000);
    expect(html).toContain('first 32 keys; 8 more not drawn');
    expect(count(html, /<rect class="fault/)).toBeLessThanOrEqual(3 * 1200);
    for (const points of html.match(/points="[^"]*"/g) ?? []) {
      expect(points.split(' ').length).toBeLessThanOrEqual(2 * 1500);
    }
    expect(count(html, /<span class="badge bad">duplicate<\/span>/)).toBe(20);
    expect(html).toContain('… and 30 more duplicate (counted, not listed)');
    expect(html).toContain('… and 28 more operations');
    expect(html).toContain('>1:00:00</text>');
    expectNoGarbage(html);
  });
});
