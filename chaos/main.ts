import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { Progress, runChaos, scenarios } from './run/index.js';

function integer(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}`);
    return n;
  };
}

const program = new Command('raftlog chaos')
  .description('Runs a cluster behind fault-injecting proxies, drives a workload, and checks its history.')
  .option('--scenario <name>', `faults to inject: ${Object.keys(scenarios).join(', ')}`, 'all')
  .option('--nodes <n>', 'cluster size (3 or 5)', integer(3, 5), 3)
  .option('--duration <s>', 'seconds of faults before heal and drain', integer(1, 86_400), 60)
  .option('--seed <n>', 'fixes the fault schedule (default: random, printed)', integer(0, 2 ** 31))
  .option('--partitions <n>', 'partitions of the workload topic', integer(1, 64), 3)
  .option('--senders <n>', 'concurrent senders per partition', integer(1, 64), 3)
  .option('--json', 'print the verdict as one JSON line, last')
  .option(
    '--out <dir>',
    'where the report, history, node data and logs go (default: chaos-out/<scenario>-<seed>)',
  )
  .action(async (flags: Flags) => {
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    const outDir = flags.out ?? join('chaos-out', `${flags.scenario}-${seed}`);
    const progress = new Progress(process.stderr);
    progress.note(
      `chaos: scenario ${flags.scenario}, ${flags.nodes} nodes, ${flags.duration} s, seed ${seed}, output in ${outDir}`,
    );
    const { verdict, historyPath } = await runChaos(
      {
        scenario: flags.scenario,
        nodes: flags.nodes,
        durationS: flags.duration,
        seed,
        outDir,
        partitions: flags.partitions,
        sendersPerKey: flags.senders,
        ...(process.env.TOXIPROXY_URL ? { toxiproxyUrl: process.env.TOXIPROXY_URL } : {}),
        command: `npm run chaos -- --scenario ${flags.scenario} --nodes ${flags.nodes} --duration ${flags.duration} --seed ${seed}`,
      },
      progress,
    );
    progress.note(`history: ${historyPath}`);
    progress.note(`report: ${verdict.report}`);
    if (flags.json === true) console.log(JSON.stringify(verdict));
    else console.log(`${verdict.valid ? 'VALID' : 'INVALID'}: ${JSON.stringify(verdict.anomalies)}`);
    process.exitCode = verdict.valid ? 0 : 1;
  });

interface Flags {
  scenario: string;
  nodes: number;
  duration: number;
  seed?: number;
  partitions: number;
  senders: number;
  json?: boolean;
  out?: string;
}

await program.parseAsync(process.argv);
