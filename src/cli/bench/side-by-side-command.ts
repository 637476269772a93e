import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { RaftlogError } from '../../../lib/index.js';
import type { AcksMode } from '../../client/index.js';
import type { LocalCluster } from '../../local/index.js';
import type { CliContext, CliSession } from '../cli-context.js';
import { globals } from '../global-options.js';
import type { BenchTarget } from './bench-target.js';
import { realBenchTime } from './bench-time.js';
import { startLocalRaftlog } from './local-raftlog.js';
import { PeerProcesses } from './peers/peer-processes.js';
import { installedPeers, peerList, startPeers, type PeerName } from './peers/start-peers.js';
import { acksMode, integerIn, nonNegativeInt, positiveInt } from '../option-parsers.js';
import { RaftlogTarget } from './raftlog-target.js';
import {
  runSideBySide,
  sideBySideJson,
  sideBySideTable,
  type SideBySideOptions,
  type TargetReport,
} from './side-by-side.js';

export interface SideBySideFlags extends Omit<SideBySideOptions, 'recordBytes'> {
  readonly peers: PeerName[];
  readonly recordBytes: number;
  readonly acks: AcksMode;
  readonly partitions: number;
  readonly idempotence: boolean;
}

const stopGraceMs = 10_000;
/** A client whose server was just killed may never answer its close. */
const closeWaitMs = 2_000;

/** Everything one side-by-side run started, stopped however the run ends. */
class RunResources {
  readonly time = realBenchTime;
  readonly processes = new PeerProcesses(realBenchTime);
  readonly dir = mkdtempSync(join(tmpdir(), 'raftlog-bench-'));
  readonly targets: BenchTarget[] = [];
  /** Aborted on Ctrl-C: the runs stop sending, so nothing keeps the process alive afterwards. */
  readonly abort = new AbortController();
  cluster: LocalCluster | undefined;
  session: CliSession | undefined;
  private readonly onExit = (): void => this.killNow();

  constructor() {
    // A crash must not leave three brokers behind: kill synchronously as the process exits.
    process.on('exit', this.onExit);
  }

  /** Synchronous, for the process's exit. */
  killNow(): void {
    this.processes.killAll();
    this.cluster?.killNow();
  }

  /** Ctrl-C: the brokers go at once; the cluster is told it is being stopped, so it reports no crash. */
  stopNow(): void {
    this.processes.killAll();
    void this.cluster?.stop(0);
  }

  async release(keepDir: boolean): Promise<void> {
    await Promise.all(this.targets.map((t) => bounded(t.close(), this.time)));
    this.session?.close();
    await this.processes.stopAll(stopGraceMs);
    await this.cluster?.stop();
    process.off('exit', this.onExit);
    if (!keepDir) this.removeDir();
  }

  /**
   * A SIGKILLed broker dies a moment after kill() returns and may still create files meanwhile: retry,
   * and leave the directory (saying where) rather than fail a finished run over it.
   */
  private removeDir(): void {
    try {
      rmSync(this.dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
    } catch (error) {
      console.error(`raftlog bench: could not remove ${this.dir}: ${String(error)}`);
    }
  }
}

async function bounded(p: Promise<void>, time: typeof realBenchTime): Promise<void> {
  await Promise.race([p.catch(() => undefined), time.sleep(closeWaitMs)]);
}

/** `raftlog bench --peers nats,rabbitmq`: the same workload on raftlog and each peer, one table. */
export async function runSideBySideCommand(ctx: CliContext, cmd: Command, o: SideBySideFlags): Promise<void> {
  const g = globals(cmd);
  const res = new RunResources();
  let interrupted = false;
  let onInterrupted: (e: Error) => void = () => {};
  const stopped = new Promise<never>((_, reject) => (onInterrupted = reject));
  stopped.catch(() => undefined);
  const off = ctx.io.onInterrupt?.(() => {
    interrupted = true;
    res.abort.abort();
    res.stopNow();
    onInterrupted(new RaftlogError('CANCELLED', 'interrupted: every process this bench started is stopped'));
  });
  let ok = false;
  try {
    const reports = await Promise.race([run(ctx, cmd, o, res), stopped]);
    ctx.io.out(g.json ? JSON.stringify(sideBySideJson(reports)) : sideBySideTable(reports));
    const failures = failedRuns(reports);
    failures.forEach((line) => ctx.io.err(`raftlog bench: ${line}`));
    ok = failures.length === 0;
    if (!ok) ctx.exitCode = 1;
  } finally {
    off?.();
    await res.release(!ok || interrupted);
    if (!ok) ctx.io.err(`raftlog bench: logs and data kept in ${res.dir}`);
  }
}

/** A run with failed sends, or that read back less than was acknowledged, fails the command. */
function failedRuns(reports: readonly TargetReport[]): string[] {
  return reports.flatMap((t) =>
    t.runs.flatMap((r, i) =>
      r.produceErrors > 0 || r.consumed < r.expected
        ? [
            `${t.name}, run ${i + 1}: ${r.produceErrors} failed sends, read back ${r.consumed} of ${r.expected}`,
          ]
        : [],
    ),
  );
}

async function run(ctx: CliContext, cmd: Command, o: SideBySideFlags, res: RunResources) {
  const g = globals(cmd);
  const peers = installedPeers(o.peers, (line) => ctx.io.err(`raftlog bench: ${line}`));
  const startingPeers = startPeers(peers, res.processes, res.dir, res.time, res.abort.signal);
  startingPeers.catch(() => undefined);
  const bootstrap = ownsBootstrap(cmd) ? g.bootstrap : await startOwnCluster(ctx, res);
  res.session = await ctx.deps.connect(bootstrap, g.auth);
  const raftlog = new RaftlogTarget(res.session, {
    partitions: o.partitions,
    replicas: 3,
    acks: o.acks,
    idempotence: o.idempotence,
    name: `raftlog acks=${o.acks}, 3 nodes, ${o.partitions} partition(s)`,
  });
  res.targets.push(raftlog, ...(await startingPeers));
  ctx.io.err(
    `raftlog bench: ${res.targets.length} targets ready; ${o.warmupRuns ?? 0} warm-up and ${o.runs} recorded run(s) each`,
  );
  return runSideBySide(res.targets, { ...o, signal: res.abort.signal }, res.time, (name, r, i) =>
    ctx.io.err(
      `run ${i + 1} ${name}: produce ${r.produceRecordsPerSec} rec/s, one at a time p50 ${r.oneAtATime.p50Ms} ` +
        `p99 ${r.oneAtATime.p99Ms} ms, consume ${r.consumeRecordsPerSec} rec/s (load ${r.loadAverage})`,
    ),
  );
}

async function startOwnCluster(ctx: CliContext, res: RunResources): Promise<string> {
  ctx.io.err('raftlog bench: starting a 3-node raftlog cluster (--bootstrap names one to use instead)');
  const { bootstrap } = await startLocalRaftlog(join(res.dir, 'raftlog'), (cluster) => {
    res.cluster = cluster;
    // Interrupted while this attempt started: stop it at once.
    if (res.abort.signal.aborted) void cluster.stop(0);
  });
  return bootstrap;
}

/** Whether the user named a cluster (flag or RAFTLOG_BOOTSTRAP) rather than leaving the default. */
function ownsBootstrap(cmd: Command): boolean {
  let root = cmd;
  while (root.parent !== null) root = root.parent;
  const source = root.getOptionValueSource('bootstrap');
  return source === 'cli' || source === 'env';
}

/**
 * `bench side-by-side`, also the default subcommand, so `raftlog bench --peers nats,rabbitmq` runs it
 * (options on `bench` itself would take the same names from every other bench mode).
 */
export function registerSideBySide(bench: Command, ctx: CliContext): void {
  bench
    .command('side-by-side', { isDefault: true })
    .description('the same workload on raftlog and on --peers brokers started here, one table')
    .option('--peers <list>', 'side by side with these brokers, started here: nats,rabbitmq', peerList)
    .option('--runs <n>', 'runs of each target (median, min–max)', positiveInt, 3)
    .option('--warmup-runs <n>', 'rounds run first and not recorded, every target alike', nonNegativeInt, 1)
    .option('--count <n>', 'records of each throughput run', positiveInt, 50_000)
    .option('--latency-count <n>', 'records sent one at a time for the latency run', positiveInt, 2_000)
    .option('--record-bytes <n>', 'value size', positiveInt, 1024)
    .option('--concurrency <n>', 'sends awaiting their ack at once in the throughput run', positiveInt, 1000)
    .option('--acks <mode>', 'raftlog: quorum|leader|none', acksMode, 'quorum')
    .option('--partitions <n>', 'raftlog: partitions of each fresh topic', integerIn(1, 64), 1)
    .option('--no-idempotence', 'raftlog: send without a producer id')
    .option('--timeout-ms <ms>', 'stop reading after this long without a record', positiveInt, 30_000)
    .action((o: SideBySideFlags & { peers?: PeerName[]; timeoutMs: number }, cmd: Command) => {
      if (o.peers === undefined) {
        throw new RaftlogError('INVALID_ARGUMENT', 'name a mode (bench produce|consume|e2e|…) or --peers');
      }
      return runSideBySideCommand(ctx, cmd, { ...o, peers: o.peers, idleTimeoutMs: o.timeoutMs });
    });
}
