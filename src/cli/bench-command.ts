import type { Command } from 'commander';
import { RaftlogError } from '../../lib/index.js';
import type { CliContext, CliQueueConsumer, CliQueues, CliSession } from './cli-context.js';
import { benchProduce, noProgress, type Progress } from './bench-runner.js';
import { benchRebalance } from './bench-rebalance.js';
import { describeQueueBench, drainQueue, queueBenchResult } from './bench-queue.js';
import { registerScaleBench } from './bench-scale-command.js';
import {
  createTopicRetrying,
  ensureTopic,
  progressBar,
  registerSideBySide,
  registerWorkloadBenches,
} from './bench/index.js';
import { withSession } from './global-options.js';
import { integerIn, nonNegativeInt, positiveInt } from './option-parsers.js';

export function registerBenchCommand(program: Command, ctx: CliContext): void {
  const bench = program
    .command('bench')
    .description('measure throughput and latency against a running cluster');
  registerSideBySide(bench, ctx);
  registerWorkloadBenches(bench, ctx);
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
        await ensureTopic(session, o.topic, o);
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
  await createTopicRetrying(session, topic, o);
  const fill = await runProduce(
    session,
    { topic, recordBytes: o.size, count: o.count },
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

interface FillFlags {
  readonly topic: string;
  readonly recordBytes: number;
  readonly count: number;
}

/** The queue bench's fill: idempotent, acks=quorum, up to 1024 in flight. */
async function runProduce(session: CliSession, o: FillFlags, progress: Progress) {
  const producer = session.producer({ acks: 'quorum', lingerMs: 5, idempotence: true });
  try {
    return await benchProduce(
      (r) => producer.send(r),
      { topic: o.topic, count: o.count, recordBytes: o.recordBytes, concurrency: 1024 },
      progress,
    );
  } finally {
    await producer.close();
  }
}
