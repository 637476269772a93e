import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliJson as cli, startCluster } from './harness/index.js';

interface Latency {
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

interface Report extends Latency {
  mode: string;
  recordBytes: number;
  ratePerSec: number | null;
  rateOfPeak: number | null;
  count: number;
  errors: number;
  recordsPerSec: number;
  mbPerSec: number;
  consumed?: number;
  ackLatency?: Latency;
  lagMsMax?: number;
}

function expectOrderedPercentiles(l: Latency): void {
  expect(l.p50Ms).toBeGreaterThan(0);
  expect(l.p50Ms).toBeLessThanOrEqual(l.p90Ms);
  expect(l.p90Ms).toBeLessThanOrEqual(l.p99Ms);
  expect(l.p99Ms).toBeLessThanOrEqual(l.p999Ms);
  expect(l.p999Ms).toBeLessThanOrEqual(l.maxMs);
}

async function threeNodes(): Promise<string> {
  const cluster = await startCluster({ nodes: 3 });
  await cluster.waitAllAlive();
  return cluster.nodes.map((n) => n.address).join(',');
}

describe('raftlog bench against 3 nodes', () => {
  it('e2e: every acknowledged record is read back, latency from send to consumer', async () => {
    const bootstrap = await threeNodes();
    const args = [
      'bench',
      'e2e',
      '--count',
      '2000',
      '--record-bytes',
      '256',
      '--partitions',
      '2',
      '--replicas',
      '3',
    ];
    const r = (await cli(bootstrap, ...args)) as Report;
    expect(r).toMatchObject({ mode: 'e2e', recordBytes: 256, ratePerSec: null, rateOfPeak: null });
    expect(r.count + r.errors).toBe(2000);
    expect(r.errors).toBe(0);
    expect(r.consumed).toBe(r.count);
    expect(r.recordsPerSec).toBeGreaterThan(0);
    expectOrderedPercentiles(r);
    expectOrderedPercentiles(r.ackLatency!);
    // A record is read after its ack can be sent at the earliest: end to end is not below the ack's p50.
    expect(r.maxMs).toBeGreaterThanOrEqual(r.ackLatency!.p50Ms);
  }, 300_000);

  it('fixed rate: sends on schedule at each size, counts add up, and the plot is written', async () => {
    const bootstrap = await threeNodes();
    const dir = mkdtempSync(join(tmpdir(), 'bench-plot-'));
    try {
      const plot = join(dir, 'latency.html');
      const args = [
        'bench',
        'produce',
        '--topic',
        'fixed',
        '--replicas',
        '3',
        '--count',
        '600',
        '--rate',
        '300',
      ];
      const reports = (await cli(
        bootstrap,
        ...args,
        '--record-bytes',
        '100,1024',
        '--plot',
        plot,
      )) as Report[];
      expect(reports.map((r) => [r.mode, r.recordBytes, r.ratePerSec])).toEqual([
        ['produce', 100, 300],
        ['produce', 1024, 300],
      ]);
      for (const r of reports) {
        expect(r.count + r.errors).toBe(600);
        expect(r.errors).toBe(0);
        // Open loop: 600 records at 300/s take at least 2 s, whatever the cluster could take.
        expect(r.recordsPerSec).toBeLessThanOrEqual(300);
        expect(r.recordsPerSec).toBeGreaterThan(100);
        expect(r.lagMsMax).toBeGreaterThanOrEqual(0);
        expectOrderedPercentiles(r);
      }
      const html = readFileSync(plot, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html.match(/<polyline /g)).toHaveLength(10);
      expect(html).toContain('produce 1024 B, 300 rec/s');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);

  it('rate of peak: measures the peak, then runs open loop at the share of it', async () => {
    const bootstrap = await threeNodes();
    const args = [
      'bench',
      'produce',
      '--topic',
      'peak',
      '--replicas',
      '3',
      '--count',
      '1000',
      '--rate-of-peak',
      '0.5',
    ];
    const [peak, half] = (await cli(bootstrap, ...args)) as Report[];
    expect(peak).toMatchObject({ ratePerSec: null, rateOfPeak: null, errors: 0, count: 1000 });
    expect(half).toMatchObject({
      ratePerSec: Math.round(peak!.recordsPerSec * 0.5),
      rateOfPeak: 0.5,
      errors: 0,
    });
    expect(half!.count).toBe(1000);
  }, 300_000);
});
