import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { RaftlogError } from '../../lib/index.js';
import type { AcksMode } from '../client/index.js';
import type { CliAdmin, CliContext, CliQueueConsumer, CliQueues, CliSession } from './cli-context.js';
import { benchConsume, benchProduce, noProgress, type BenchResult, type Progress } from './bench-runner.js';
import { benchRebalance } from './bench-rebalance.js';
import { describeQueueBench, drainQueue, queueBenchResult } from './bench-queue.js';
import { benchProduceTransactions } from './bench-transactions.js';
import { registerScaleBench } from './bench-scale-command.js';
import { withSession } from './global-options.js';
import { acksMode, integerIn, nonNegativeInt, positiveInt } from './option-parsers.js';

interface BenchFlags {
  topic: string;
  recordBytes: number;
  count: number;
  acks: AcksMode;
  concurrency: number;
  oneAtATime?: boolean;
  idempotence: boolean;
  partitions: number;
  replicas: number;
  timeoutMs: number;
  transactionRecords?: number;
}

export function registerBenchCommand(program: Command, ctx: CliContext): void {
  const bench = program
    .command('bench')
    .description('measure throughput and latency against a running cluster');
  for (const mode of ['produce', 'consume'] as const) {
    bench
      .command(mode)
      .requiredOption('--topic <name>', 'topic (created when missing)')
      .option('--record-bytes <n>', 'value size', positiveInt, 1024)
      .option('--count <n>', 'records', positiveInt, 100_000)
      .option('--acks <mode>', 'quorum|leader|none', acksMode, 'quorum')
      .option('--concurrency <n>', 'sends awaiting their ack at once', positiveInt, 1024)
      .option('--one-at-a-time', 'await each ack before the next send (latency, not throughput)')
      .option('--no-idempotence', 'produce: send without a producer id (no deduplication of retries)')
      .option('--partitions <n>', 'partitions when the topic is created', positiveInt, 3)
      .option('--replicas <n>', 'replicas when the topic is created (0: cluster default)', nonNegativeInt, 0)
      .option('--timeout-ms <ms>', 'consume: stop after this long without a record', positiveInt, 10_000)
      .option('--transaction-records <n>', 'produce: in transactions of this many records', positiveInt)
      .action((o: BenchFlags, cmd: Command) =>
        withSession(ctx, cmd, async (session, g) => {
          await ensureTopic(session.admin, o);
          const progress = g.json ? noProgress : progressBar(ctx, o.count);
          const result =
            mode === 'produce'
              ? await runProduce(session, o, progress)
              : await runConsume(session, o, progress);
          ctx.io.out(g.json ? JSON.stringify(result) : describe(mode, result));
          if (result.errors > 0) ctx.exitCode = 1;
        }),
      );
  }
  bench
    .command('rebalance')
    .description('time one member joining a consumer group of --members members')
    .requiredOption('--topic <name>', 'topic (created when missing)')
    .option('--members <n>', 'members before the timed join', positiveInt, 3)
    .option('--partitions <n>', 'partitions when the topic is created', positiveInt, 12)
    .option('--replicas <n>', 'replicas when the topic is created (0: cluster default)', nonNegativeInt, 0)
    .option('--session-timeout-ms <ms>', 'of each member (heartbeats every third of it)', positiveInt, 10_000)
    .option('--timeout-ms <ms>', 'give up when the group has not settled by then', positiveInt, 60_000)
    .action((o: RebalanceFlags, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        if (session.groups === undefined)
          throw new RaftlogError('UNIMPLEMENTED', 'this session has no consumer groups');
        await ensureTopic(session.admin, o);
        const partitions = (await session.admin.describeTopic(o.topic)).partitions;
        const r = await benchRebalance(session.groups, { ...o, partitions });
        ctx.io.out(
          g.json
            ? JSON.stringify(r)
            : `rebalance: ${r.members} → ${r.members + 1} members over ${r.partitions} partitions in ${r.rebalanceMs} ms`,
        );
      }),
    );
  registerQueueBench(bench, ctx);
  registerScaleBench(bench, ctx);
}

interface QueueBenchFlags {
  partitions: number;
  replicas: number;
  size: number;
  count: number;
  consumers: number;
  max: number;
  queue: string;
  timeoutMs: number;
}

function registerQueueBench(bench: Command, ctx: CliContext): void {
  bench
    .command('queue')
    .description('fill a fresh topic, then time competing queue consumers receiving and acking all of it')
    .option('--partitions <n>', 'partitions of the fresh topic', positiveInt, 3)
    .option('--replicas <n>', 'replicas of the fresh topic (0: cluster default)', nonNegativeInt, 0)
    .option('--size <bytes>', 'message value size', positiveInt, 1024)
    .option('--count <n>', 'messages', positiveInt, 50_000)
    .option('--consumers <n>', 'competing queue consumers', integerIn(1, 1000), 3)
    .option('--max <n>', 'messages per lease, from each partition leader', integerIn(1, 1000), 500)
    .option('--queue <name>', 'queue group', 'bench')
    .option('--timeout-ms <ms>', 'give up after this long without an ack', positiveInt, 30_000)
    .action((o: QueueBenchFlags, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        const r = await runQueueBench(session, o, (unit) =>
          g.json ? noProgress : progressBar(ctx, o.count, unit),
        );
        ctx.io.out(g.json ? JSON.stringify(r) : describeQueueBench(r));
        if (r.fill.errors > 0 || r.unacked > 0) ctx.exitCode = 1;
      }),
    );
}

async function runQueueBench(session: CliSession, o: QueueBenchFlags, progress: (unit: string) => Progress) {
  if (session.queues === undefined) throw new RaftlogError('UNIMPLEMENTED', 'this session offers no queues');
  // Checked before the fill, which would otherwise be wasted.
  if (o.queue === '') throw new RaftlogError('INVALID_ARGUMENT', '--queue must not be empty');
  const topic = `bench-queue-${process.pid}-${Date.now()}`;
  await session.admin.createTopic({ name: topic, partitions: o.partitions, replicas: o.replicas });
  const fill = await runProduce(
    session,
    { topic, recordBytes: o.size, count: o.count, acks: 'quorum', concurrency: 1024, idempotence: true },
    progress('messages filled'),
  );
  const consumers = openQueueConsumers(session.queues, topic, o);
  try {
    const drain = await drainQueue(
      consumers,
      { count: fill.count, idleTimeoutMs: o.timeoutMs },
      progress('messages acked'),
    );
    const setup = {
      topic,
      queue: o.queue,
      partitions: o.partitions,
      consumers: o.consumers,
      maxPerLease: o.max,
    };
    return queueBenchResult(setup, fill, drain);
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
  }
}

function openQueueConsumers(queues: CliQueues, topic: string, o: QueueBenchFlags): CliQueueConsumer[] {
  return Array.from({ length: o.consumers }, () =>
    queues.consumer({
      topic,
      queue: o.queue,
      maxMessages: o.max,
      // Each round is acked as soon as it arrives: extending would only add calls, and a lease far
      // longer than a round keeps a slow one from redelivering what it is about to ack.
      autoExtend: false,
      visibilityTimeoutMs: 120_000,
      // Bounds how long the last consumers keep polling an empty queue after the final ack.
      waitMs: 1_000,
    }),
  );
}

interface RebalanceFlags {
  topic: string;
  sessionTimeoutMs: number;
  members: number;
  partitions: number;
  replicas: number;
  timeoutMs: number;
}

type ProduceFlags = Pick<
  BenchFlags,
  | 'topic'
  | 'recordBytes'
  | 'count'
  | 'acks'
  | 'concurrency'
  | 'oneAtATime'
  | 'idempotence'
  | 'transactionRecords'
>;

async function runProduce(session: CliSession, o: ProduceFlags, progress: Progress) {
  if (o.transactionRecords !== undefined)
    return runProduceTransactions(session, o, o.transactionRecords, progress);
  const single = o.oneAtATime === true;
  const producer = session.producer({
    acks: o.acks,
    lingerMs: single ? 0 : 5,
    idempotence: o.idempotence,
  });
  try {
    return await benchProduce(
      (r) => producer.send(r),
      { topic: o.topic, count: o.count, recordBytes: o.recordBytes, concurrency: single ? 1 : o.concurrency },
      progress,
    );
  } finally {
    await producer.close();
  }
}

async function runProduceTransactions(
  session: CliSession,
  o: ProduceFlags,
  transactionRecords: number,
  progress: Progress,
) {
  if (!o.idempotence) throw new RaftlogError('INVALID_ARGUMENT', '--transaction-records needs idempotence');
  const producer = session.producer({
    acks: o.acks,
    lingerMs: 5,
    transactionalId: `bench-${process.pid}-${Date.now()}`,
  });
  try {
    if (producer.initTransactions === undefined || producer.transaction === undefined) {
      throw new RaftlogError('UNIMPLEMENTED', 'this session has no transactional producer');
    }
    await producer.initTransactions();
    const sender = { transaction: producer.transaction.bind(producer) };
    return await benchProduceTransactions(
      sender,
      { topic: o.topic, count: o.count, recordBytes: o.recordBytes, transactionRecords },
      progress,
    );
  } finally {
    await producer.close();
  }
}

async function runConsume(session: CliSession, o: BenchFlags, progress: Progress) {
  const consumer = session.consumer({ from: 'earliest' });
  try {
    await consumer.assignTopic(o.topic, 'earliest');
    return await benchConsume(consumer, { count: o.count, idleTimeoutMs: o.timeoutMs }, progress);
  } finally {
    await consumer.close();
  }
}

async function ensureTopic(
  admin: CliAdmin,
  o: Pick<BenchFlags, 'topic' | 'partitions' | 'replicas'>,
): Promise<void> {
  try {
    await admin.describeTopic(o.topic);
  } catch (error) {
    if (!(error instanceof RaftlogError) || error.code !== 'TOPIC_NOT_FOUND') throw error;
    await admin
      .createTopic({ name: o.topic, partitions: o.partitions, replicas: o.replicas })
      .catch((e: unknown) => {
        if (!(e instanceof RaftlogError) || e.code !== 'TOPIC_ALREADY_EXISTS') throw e;
      });
  }
}

function progressBar(ctx: CliContext, total: number, unit = 'records'): Progress {
  const stream = ctx.io.progressStream;
  if (stream === undefined) return noProgress;
  const bar = new SingleBar({
    stream,
    format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
    hideCursor: true,
    clearOnComplete: true,
  });
  bar.start(total, 0);
  return { increment: (n) => bar.increment(n), stop: () => bar.stop() };
}

function describe(mode: string, r: BenchResult): string {
  return (
    `${mode}: ${r.count} records, ${r.recordsPerSec} records/s, ${r.mbPerSec} MiB/s, ` +
    `latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms, ${r.errors} errors`
  );
}
