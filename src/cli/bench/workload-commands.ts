import type { Command } from 'commander';
import { RaftlogError } from '../../../lib/index.js';
import type { AcksMode } from '../../client/index.js';
import { benchConsume, noProgress, type BenchResult, type Progress } from '../bench-runner.js';
import { runProduceTransactions } from '../bench-transactions.js';
import type { CliContext, CliSession } from '../cli-context.js';
import { withSession } from '../global-options.js';
import { acksMode, integerIn, nonNegativeInt, positiveInt } from '../option-parsers.js';
import { positiveIntList, shareList } from './bench-options.js';
import { realBenchTime } from './bench-time.js';
import { formatCount, formatMs, formatTable, latencyColumns, type Column } from './percentile-table.js';
import { nodeCosts, nodeCostTable, nodeMeters, readNodes } from './node-costs.js';
import { writePlot } from './plot-writer.js';
import { progressBar } from './progress-bar.js';
import { e2eRun, produceRun, type RunOutcome, type RunReport, type RunShape } from './raftlog-runs.js';
import { ensureTopic, RaftlogTarget } from './raftlog-target.js';
import { describePoint, runSweep, type RatePlan, type SweepPoint } from './sweep.js';

export interface WorkloadFlags {
  topic?: string;
  recordBytes: number[];
  count: number;
  acks: AcksMode;
  concurrency: number;
  oneAtATime?: boolean;
  idempotence: boolean;
  partitions: number;
  replicas: number;
  timeoutMs: number;
  transactionRecords?: number;
  rate?: number;
  rateOfPeak?: number[];
  plot?: string;
  nodeStats?: boolean;
}

/** Partitions a bench topic may have: enough to spread over many groups, few enough for one machine. */
export const benchPartitions = integerIn(1, 64);

function commonOptions(command: Command): Command {
  return command
    .option(
      '--record-bytes <list>',
      'value size, or sizes to sweep (100,1024,16384)',
      positiveIntList,
      [1024],
    )
    .option('--count <n>', 'records per run', positiveInt, 100_000)
    .option('--acks <mode>', 'quorum|leader|none', acksMode, 'quorum')
    .option('--no-idempotence', 'send without a producer id (no deduplication of retries)')
    .option('--partitions <n>', 'partitions (1-64) when the topic is created', benchPartitions, 3)
    .option('--replicas <n>', 'replicas when the topic is created (0: cluster default)', nonNegativeInt, 0);
}

function sendOptions(command: Command): Command {
  return command
    .option(
      '--concurrency <n>',
      'closed loop: sends awaiting their ack at once (1: one at a time)',
      positiveInt,
      1024,
    )
    .option('--one-at-a-time', 'await each ack before the next send (latency, not throughput)')
    .option(
      '--rate <n>',
      'open loop: send this many records/s on schedule, whatever the answers',
      positiveInt,
    )
    .option(
      '--rate-of-peak <list>',
      'measure the closed-loop peak, then open loop at these shares (0.5,0.8)',
      shareList,
    )
    .option('--plot <file>', 'write latency over time (per-second percentiles) to FILE.svg or FILE.html')
    .option('--node-stats', "also print each node's CPU and GC pauses per record (from its metrics)");
}

export function registerWorkloadBenches(bench: Command, ctx: CliContext): void {
  sendOptions(commonOptions(bench.command('produce')))
    .description('produce records and time each ack')
    .requiredOption('--topic <name>', 'topic (created when missing)')
    .option('--transaction-records <n>', 'in transactions of this many records', positiveInt)
    .action((o: WorkloadFlags, cmd: Command) =>
      withSession(ctx, cmd, (session, g) =>
        measured(ctx, session, o, g.json, () => produceSweep(ctx, session, o, g.json)),
      ),
    );
  sendOptions(commonOptions(bench.command('e2e')))
    .description('produce and consume at once on a fresh topic; time each record from send to consumer')
    .option('--timeout-ms <ms>', 'stop reading after this long without a record', positiveInt, 10_000)
    .action((o: WorkloadFlags, cmd: Command) =>
      withSession(ctx, cmd, (session, g) =>
        measured(ctx, session, o, g.json, () => e2eSweep(ctx, session, o, g.json)),
      ),
    );
  commonOptions(bench.command('consume'))
    .description('read a topic from its start; latency is now minus each record timestamp')
    .requiredOption('--topic <name>', 'topic (created when missing)')
    .option('--timeout-ms <ms>', 'stop after this long without a record', positiveInt, 10_000)
    .action((o: WorkloadFlags & { topic: string }, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        await ensureTopic(session, o.topic, o);
        const progress = g.json ? noProgress : progressBar(ctx, o.count);
        const result = await runConsume(session, o, progress);
        ctx.io.out(g.json ? JSON.stringify(result) : describeResult('consume', result));
        if (result.errors > 0) ctx.exitCode = 1;
      }),
    );
}

/** Runs and prints a sweep; with --node-stats, then what its records cost each node. */
async function measured(
  ctx: CliContext,
  session: CliSession,
  o: WorkloadFlags,
  json: boolean,
  sweep: () => Promise<RunOutcome[]>,
): Promise<void> {
  const meters = o.nodeStats === true ? await nodeMeters(session) : [];
  const before = await readNodes(meters);
  const outcomes = await sweep();
  // The runs' results are out before the second scrape, which a node lost meanwhile would fail.
  print(ctx, json, o, outcomes);
  if (o.nodeStats !== true) return;
  const after = await readNodes(meters);
  const records = outcomes.reduce((n, r) => n + r.report.count, 0);
  const costs = nodeCosts(before, after, records);
  ctx.io.out(json ? JSON.stringify({ nodes: costs }) : nodeCostTable(costs));
}

/** Sends on a schedule (a rate, or shares of the peak) rather than as answers come back. */
function openLoop(o: WorkloadFlags): boolean {
  return o.rate !== undefined || o.rateOfPeak !== undefined;
}

function ratePlan(o: WorkloadFlags): RatePlan {
  if (o.rate !== undefined && o.rateOfPeak !== undefined) {
    throw new RaftlogError('INVALID_ARGUMENT', '--rate and --rate-of-peak exclude each other');
  }
  if (openLoop(o) && o.oneAtATime === true) {
    throw new RaftlogError('INVALID_ARGUMENT', '--one-at-a-time is a closed loop; a rate is an open one');
  }
  return o.rate !== undefined
    ? { ratePerSec: o.rate }
    : o.rateOfPeak !== undefined
      ? { rateOfPeak: o.rateOfPeak }
      : {};
}

/**
 * A closed loop of one send is one at a time: without it a single record would wait out the
 * producer's linger before every send.
 */
export function shapeOf(o: WorkloadFlags): RunShape {
  return {
    count: o.count,
    concurrency: o.concurrency,
    oneAtATime: o.oneAtATime === true || (!openLoop(o) && o.concurrency === 1),
    idleTimeoutMs: o.timeoutMs,
  };
}

function barFor(ctx: CliContext, json: boolean, o: WorkloadFlags, p: SweepPoint): Progress {
  return json ? noProgress : progressBar(ctx, o.count, `records (${describePoint(p)})`);
}

async function produceSweep(
  ctx: CliContext,
  session: CliSession,
  o: WorkloadFlags,
  json: boolean,
): Promise<RunOutcome[]> {
  const plan = ratePlan(o);
  if (o.transactionRecords !== undefined) {
    return transactionSweep(ctx, session, { ...o, transactionRecords: o.transactionRecords }, plan, json);
  }
  const target = new RaftlogTarget(session, { ...o, topic: o.topic ?? '' });
  return sweepWith(produceRun, target, o, plan, (p) => barFor(ctx, json, o, p));
}

async function transactionSweep(
  ctx: CliContext,
  session: CliSession,
  o: WorkloadFlags & { transactionRecords: number },
  plan: RatePlan,
  json: boolean,
): Promise<RunOutcome[]> {
  if (plan.ratePerSec !== undefined || plan.rateOfPeak !== undefined) {
    throw new RaftlogError('INVALID_ARGUMENT', '--transaction-records runs closed loop only');
  }
  const topic = o.topic ?? '';
  await ensureTopic(session, topic, o);
  const outcomes: RunOutcome[] = [];
  for (const recordBytes of o.recordBytes) {
    const progress = json ? noProgress : progressBar(ctx, o.count);
    const r = await runProduceTransactions(
      session,
      { ...o, topic, recordBytes },
      o.transactionRecords,
      progress,
    );
    const report: RunReport = { mode: 'produce', recordBytes, ratePerSec: null, rateOfPeak: null, ...r };
    outcomes.push({ report, panel: { title: `produce ${recordBytes} B in transactions`, points: [] } });
  }
  return outcomes;
}

async function e2eSweep(
  ctx: CliContext,
  session: CliSession,
  o: WorkloadFlags,
  json: boolean,
): Promise<RunOutcome[]> {
  const plan = ratePlan(o);
  // Each run reads a fresh topic from its start: an old record would carry no send time.
  const { topic: _named, ...fresh } = o;
  const target = new RaftlogTarget(session, fresh);
  return sweepWith(e2eRun, target, o, plan, (p) => barFor(ctx, json, o, p));
}

type Runner = typeof produceRun;

/** The sweep over sizes and rates; a rate of peak is a share of the closed loop's records/s. */
function sweepWith(
  run: Runner,
  target: RaftlogTarget,
  o: WorkloadFlags,
  plan: RatePlan,
  bar: (p: SweepPoint) => Progress,
): Promise<RunOutcome[]> {
  return runSweep(
    o.recordBytes,
    plan,
    (p) => run(target, p, shapeOf(o), realBenchTime, bar(p)),
    (r) => r.report.recordsPerSec,
  );
}

/** One run prints as before (one JSON object or one line); a sweep as a JSON array or a table. */
function print(ctx: CliContext, json: boolean, o: WorkloadFlags, outcomes: readonly RunOutcome[]): void {
  const reports = outcomes.map((r) => r.report);
  if (o.plot !== undefined)
    writePlot(
      o.plot,
      outcomes.map((r) => r.panel),
    );
  if (json) ctx.io.out(JSON.stringify(reports.length === 1 ? reports[0] : reports));
  else if (reports.length === 1 && reports[0] !== undefined)
    ctx.io.out(describeResult(reports[0].mode, reports[0]));
  else ctx.io.out(sweepTable(reports));
  const failed = reports.some((r) => r.errors > 0 || (r.consumed !== undefined && r.consumed < r.count));
  if (failed) ctx.exitCode = 1;
}

export function sweepTable(reports: readonly RunReport[]): string {
  const columns: Column<RunReport>[] = [
    { header: 'mode', cell: (r) => r.mode },
    { header: 'bytes', cell: (r) => r.recordBytes.toString() },
    { header: 'target rec/s', cell: (r) => (r.ratePerSec === null ? 'peak' : formatCount(r.ratePerSec)) },
    { header: 'rec/s', cell: (r) => formatCount(r.recordsPerSec) },
    { header: 'MiB/s', cell: (r) => formatMs(r.mbPerSec) },
    ...latencyColumns<RunReport>((r) => r),
    { header: 'errors', cell: (r) => r.errors.toString() },
  ];
  return formatTable(columns, reports);
}

export function describeResult(mode: string, r: BenchResult & { consumed?: number }): string {
  const consumed = r.consumed === undefined ? '' : `, ${r.consumed} consumed`;
  return (
    `${mode}: ${r.count} records, ${r.recordsPerSec} records/s, ${r.mbPerSec} MiB/s, ` +
    `latency p50 ${r.p50Ms} ms, p90 ${r.p90Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms, max ${r.maxMs} ms, ` +
    `${r.errors} errors${consumed}`
  );
}

async function runConsume(session: CliSession, o: WorkloadFlags & { topic: string }, progress: Progress) {
  const consumer = session.consumer({ from: 'earliest' });
  try {
    await consumer.assignTopic(o.topic, 'earliest');
    return await benchConsume(consumer, { count: o.count, idleTimeoutMs: o.timeoutMs }, progress);
  } finally {
    await consumer.close();
  }
}
