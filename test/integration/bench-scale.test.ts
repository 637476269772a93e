import { describe, expect, it } from 'vitest';
import { cliJson as cli, freePortRange } from './harness/index.js';

interface ScaleReport {
  partitions: number;
  createLed: number;
  restartLed: number;
  allLedAfterCreateMs?: number;
  restartAllLedMs?: number;
  idle: { node: number; cpuPercent: number; rssMiB: number }[];
}

describe('raftlog bench scale', () => {
  // Its count of led partitions comes from each node's own leader count in a status without
  // per-partition detail; were that count missing, the bench would wait out its timeout and fail.
  it('starts its own cluster, times every partition led after create and after SIGKILL of every node', async () => {
    const basePort = await freePortRange(3);
    const r = (await cli(
      '127.0.0.1:1',
      'bench',
      'scale',
      '--partitions',
      '12',
      '--topics',
      '2',
      '--base-port',
      String(basePort),
      '--settle-ms',
      '500',
      '--idle-ms',
      '1000',
      '--lead-timeout-ms',
      '90000',
    )) as ScaleReport;
    expect(r).toMatchObject({ partitions: 12, createLed: 12, restartLed: 12 });
    expect(r.allLedAfterCreateMs).toBeGreaterThan(0);
    expect(r.restartAllLedMs).toBeGreaterThan(0);
    expect(r.idle.map((s) => s.node)).toEqual([1, 2, 3]);
    for (const s of r.idle) expect(s.rssMiB).toBeGreaterThan(0);
  }, 180_000);
});
