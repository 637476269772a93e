import type { Command } from 'commander';
import type { CliContext } from './cli-context.js';
import { globals } from './global-options.js';
import { integerIn, positiveInt } from './option-parsers.js';
import { describeScaleBench, runScaleBench } from './bench-scale.js';

interface ScaleFlags {
  partitions: number;
  topics: number;
  nodes: number;
  basePort: number;
  data?: string;
  settleMs: number;
  idleMs: number;
  leadTimeoutMs: number;
  logLevel: string;
}

export function registerScaleBench(bench: Command, ctx: CliContext): void {
  bench
    .command('scale')
    .description(
      'start a local cluster of its own, create N partitions, measure time to lead, idle CPU and RSS, ' +
        'then SIGKILL every node, restart them and time until every partition is led again',
    )
    .option('--partitions <n>', 'partitions in all', positiveInt, 2_000)
    .option('--topics <n>', 'topics the partitions are spread over', positiveInt, 1)
    .option('--nodes <n>', 'nodes of the cluster (replication factor min(3, nodes))', integerIn(1, 9), 3)
    .option('--base-port <port>', 'client port of node 1; node i listens on base+i-1', positiveInt, 29_091)
    .option('--data <dir>', 'data root, kept afterwards (default: a temporary directory, removed)')
    .option(
      '--settle-ms <ms>',
      'wait after every partition is led, before the idle window',
      positiveInt,
      10_000,
    )
    .option('--idle-ms <ms>', 'idle CPU window', positiveInt, 20_000)
    .option('--lead-timeout-ms <ms>', 'give up waiting for every partition to be led', positiveInt, 600_000)
    .option('--log-level <level>', 'node log level', 'warn')
    .action(async (o: ScaleFlags, cmd: Command) => {
      const g = globals(cmd);
      const log = g.json ? () => {} : (line: string) => ctx.io.err(line);
      const result = await runScaleBench(
        {
          partitions: o.partitions,
          topics: o.topics,
          nodes: o.nodes,
          basePort: o.basePort,
          ...(o.data === undefined ? {} : { dataDir: o.data }),
          settleMs: o.settleMs,
          idleWindowMs: o.idleMs,
          leadTimeoutMs: o.leadTimeoutMs,
          logLevel: o.logLevel,
        },
        async (bootstrap) => ctx.deps.connect(bootstrap, g.auth),
        log,
      );
      ctx.io.out(g.json ? JSON.stringify(result) : describeScaleBench(result));
      if (result.allLedAfterCreateMs === undefined || result.restartAllLedMs === undefined) ctx.exitCode = 1;
    });
}
