import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliJson as cli, startCluster } from './harness/index.js';

interface Spread {
  median: number;
  min: number;
  max: number;
}

interface TargetJson {
  target: string;
  produceRecordsPerSec: Spread;
  oneAtATimeP99Ms: Spread;
  runs: { consumed: number; expected: number; produceErrors: number }[];
}

/** Processes whose command line names a side-by-side run's directory (its brokers' configs and data). */
function benchProcesses(): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return ps.split('\n').filter((line) => line.includes('raftlog-bench-') && !line.includes('ps -eo'));
}

// NATS and RabbitMQ come from Debian's packages, absent in CI: opt in with RAFTLOG_BENCH_PEERS=1.
describe.runIf(process.env['RAFTLOG_BENCH_PEERS'] === '1')('raftlog bench --peers', () => {
  it('runs the same workload on raftlog, NATS and RabbitMQ, then stops every broker it started', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const args = [
      'bench',
      '--peers',
      'nats,rabbitmq',
      '--runs',
      '1',
      '--count',
      '2000',
      '--latency-count',
      '100',
    ];
    const targets = (await cli(bootstrap, ...args)) as TargetJson[];
    expect(targets.map((t) => t.target.split(' ')[0])).toEqual(['raftlog', 'NATS', 'RabbitMQ']);
    for (const t of targets) {
      expect(t.runs).toHaveLength(1);
      expect(t.runs[0]).toMatchObject({ produceErrors: 0, consumed: 2100, expected: 2100 });
      expect(t.produceRecordsPerSec.median).toBeGreaterThan(0);
      expect(t.oneAtATimeP99Ms.median).toBeGreaterThan(0);
    }
    expect(benchProcesses()).toEqual([]);
  }, 600_000);
});
