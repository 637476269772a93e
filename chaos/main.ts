import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { useHostAliases } from '../src/client/index.js';
import { readLinksFile } from './cluster/index.js';
import {
  externalFaultKinds,
  Progress,
  runChaos,
  scenarios,
  workloadNames,
  type ExternalTarget,
  type WorkloadName,
} from './run/index.js';

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
  .option('--nodes <n>', 'cluster size (3 or 5; with --external the links file decides)', integer(3, 5), 3)
  .option(
    '--duration <s>',
    'seconds of faults before heal and drain (each fault kind of the scenario runs once, even past it)',
    integer(1, 86_400),
    60,
  )
  .option('--seed <n>', 'fixes the fault schedule (default: random, printed)', integer(0, 2 ** 31))
  .option('--partitions <n>', 'partitions of the workload topic', integer(1, 64), 3)
  .option('--senders <n>', 'concurrent senders (or enqueuers) per partition', integer(1, 64), 3)
  .option(
    '--workload <name>',
    `log: sends and offset polls; queue: enqueues, leases, acks and nacks (${workloadNames.join(', ')})`,
    workloadName,
    'log',
  )
  .option('--consumers <n>', 'competing consumers of the queue workload', integer(1, 64), 3)
  .option('--json', 'print the verdict as one JSON line, last')
  .option(
    '--out <dir>',
    'where the report, history, node data and logs go (default: chaos-out/<scenario>-<seed>)',
  )
  .option(
    '--external',
    `check a running cluster instead of starting one (faults: ${externalFaultKinds.join(', ')})`,
  )
  .option('--bootstrap <addresses>', 'with --external: client addresses of the cluster, comma-separated')
  .option(
    '--links <file>',
    'with --external: the link proxies to create (JSON array of {name, listen, upstream})',
  )
  .option(
    '--toxiproxy-url <url>',
    'the Toxiproxy to drive (default: TOXIPROXY_URL; required with --external)',
  )
  .option('--host-aliases <list>', 'NAME=IP,… dialed instead of DNS (default: RAFTLOG_HOST_ALIASES)')
  .option('--ready-timeout <s>', 'with --external: how long to wait for every node', integer(1, 86_400), 600)
  .action(async (flags: Flags) => {
    const seed = flags.seed ?? Math.floor(Math.random() * 2 ** 31);
    const outDir = flags.out ?? join('chaos-out', `${flags.scenario}-${seed}`);
    const toxiproxyUrl = flags.toxiproxyUrl ?? process.env.TOXIPROXY_URL;
    useHostAliases(flags.hostAliases ?? process.env.RAFTLOG_HOST_ALIASES ?? '');
    const external = flags.external === true ? await externalTarget(flags) : undefined;
    const progress = new Progress(process.stderr);
    progress.note(
      `chaos: scenario ${flags.scenario}, workload ${flags.workload}, ${flags.nodes} nodes, ${flags.duration} s, seed ${seed}, output in ${outDir}`,
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
        workload: flags.workload,
        consumers: flags.consumers,
        ...(toxiproxyUrl ? { toxiproxyUrl } : {}),
        ...(external === undefined ? {} : { external }),
        command: `npm run chaos -- --scenario ${flags.scenario}${flags.workload === 'log' ? '' : ` --workload ${flags.workload}`} --nodes ${flags.nodes} --duration ${flags.duration} --seed ${seed}${external === undefined ? '' : ` --external --bootstrap ${flags.bootstrap}`}`,
      },
      progress,
    );
    progress.note(`history: ${historyPath}`);
    progress.note(`report: ${verdict.report}`);
    if (flags.json === true) console.log(JSON.stringify(verdict));
    else console.log(`${verdict.valid ? 'VALID' : 'INVALID'}: ${JSON.stringify(verdict.anomalies)}`);
    process.exitCode = verdict.valid ? 0 : 1;
  });

function workloadName(value: string): WorkloadName {
  const name = workloadNames.find((n) => n === value);
  if (name === undefined) throw new InvalidArgumentError(`expected one of ${workloadNames.join(', ')}`);
  return name;
}

async function externalTarget(flags: Flags): Promise<ExternalTarget> {
  if (flags.bootstrap === undefined) throw new InvalidArgumentError('--external needs --bootstrap');
  return {
    bootstrap: flags.bootstrap.split(',').filter((a) => a !== ''),
    ...(flags.links === undefined ? {} : { links: await readLinksFile(flags.links) }),
    readyTimeoutMs: flags.readyTimeout * 1_000,
  };
}

interface Flags {
  scenario: string;
  nodes: number;
  duration: number;
  seed?: number;
  partitions: number;
  senders: number;
  workload: WorkloadName;
  consumers: number;
  json?: boolean;
  out?: string;
  external?: boolean;
  bootstrap?: string;
  links?: string;
  toxiproxyUrl?: string;
  hostAliases?: string;
  readyTimeout: number;
}

await program.parseAsync(process.argv);
