import { RaftlogError } from '../../lib/index.js';
import type { QueueMessage } from '../client/index.js';
import { LatencyRecorder, round3, type BenchResult, type Progress } from './bench-runner.js';
import type { CliQueueConsumer } from './cli-context.js';

export type QueueBenchConsumer = Pick<CliQueueConsumer, 'receive' | 'ackReceipts'>;

export interface QueueDrainOptions {
  /** Messages to ack before the run ends. */
  readonly count: number;
  /** Give up after this long without an ack. */
  readonly idleTimeoutMs: number;
  /** Pause after a retriable receive failure. */
  readonly retryDelayMs?: number;
}

export interface QueueDrainResult {
  readonly acked: number;
  /** Acks refused (the lease was gone); those messages come back and are counted when acked. */
  readonly ackErrors: number;
  readonly bytes: number;
  /** Until the last needed ack was answered, not until the last consumer stopped polling. */
  readonly elapsedMs: number;
  readonly latency: LatencyRecorder;
}

/** The server refuses an Ack of more leases; one receive() may bring several leaders' worth. */
const acksPerCallMax = 1_000;

interface DrainState {
  acked: number;
  ackErrors: number;
  bytes: number;
  lastAckAt: number;
  finishedAt: number | undefined;
}

/**
 * Competing consumers, each looping receive() then one ack of everything it got, until `count`
 * messages are acked. A message's latency runs from the receive() that brought it to its ack's
 * answer: what one consumer round costs it, kept in a histogram so memory stays flat.
 */
export async function drainQueue(
  consumers: readonly QueueBenchConsumer[],
  options: QueueDrainOptions,
  progress: Progress,
): Promise<QueueDrainResult> {
  const latency = new LatencyRecorder();
  const started = performance.now();
  const state: DrainState = { acked: 0, ackErrors: 0, bytes: 0, lastAckAt: started, finishedAt: undefined };
  const done = (): boolean =>
    state.acked >= options.count || performance.now() - state.lastAckAt > options.idleTimeoutMs;
  const worker = async (consumer: QueueBenchConsumer): Promise<void> => {
    while (!done()) {
      const t0 = performance.now();
      const messages = await receiveOrPause(consumer, options.retryDelayMs ?? 100);
      if (messages.length === 0) continue;
      const ok = await ackAll(consumer, messages, state);
      latency.recordMs(performance.now() - t0, ok);
      progress.increment(ok);
      if (state.acked >= options.count) state.finishedAt ??= performance.now();
    }
  };
  await Promise.all(consumers.map(worker));
  progress.stop();
  const { acked, ackErrors, bytes } = state;
  return { acked, ackErrors, bytes, elapsedMs: (state.finishedAt ?? performance.now()) - started, latency };
}

/** Acks in as few calls as the server takes; returns how many acks it accepted. */
async function ackAll(
  consumer: QueueBenchConsumer,
  messages: readonly QueueMessage[],
  state: DrainState,
): Promise<number> {
  const chunks: QueueMessage[][] = [];
  for (let i = 0; i < messages.length; i += acksPerCallMax)
    chunks.push(messages.slice(i, i + acksPerCallMax));
  const answers = await Promise.all(chunks.map((c) => consumer.ackReceipts(c.map((m) => m.receipt))));
  let ok = 0;
  answers.flat().forEach((outcome, i) => {
    if (!outcome.ok) return void state.ackErrors++;
    ok++;
    state.bytes += messages[i]?.value?.length ?? 0;
  });
  state.acked += ok;
  if (ok > 0) state.lastAckAt = performance.now();
  return ok;
}

/** A leader moving mid-run is not the end of the bench: the idle timeout bounds how long it waits. */
async function receiveOrPause(consumer: QueueBenchConsumer, pauseMs: number): Promise<QueueMessage[]> {
  try {
    return await consumer.receive();
  } catch (thrown) {
    const error = RaftlogError.from(thrown, 'UNKNOWN');
    if (!error.retriable) throw error;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
    return [];
  }
}

export interface QueueBenchResult {
  readonly topic: string;
  readonly queue: string;
  readonly partitions: number;
  readonly consumers: number;
  readonly maxPerLease: number;
  /** Messages acked. */
  readonly messages: number;
  readonly seconds: number;
  /** Receive plus ack. */
  readonly messagesPerSec: number;
  readonly mbPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly ackErrors: number;
  /** Filled but never acked before the idle timeout. */
  readonly unacked: number;
  readonly fill: BenchResult;
}

export interface QueueBenchSetup {
  readonly topic: string;
  readonly queue: string;
  readonly partitions: number;
  readonly consumers: number;
  readonly maxPerLease: number;
}

export function queueBenchResult(
  setup: QueueBenchSetup,
  fill: BenchResult,
  drain: QueueDrainResult,
): QueueBenchResult {
  const seconds = Math.max(drain.elapsedMs, 1) / 1000;
  return {
    ...setup,
    messages: drain.acked,
    seconds: round3(seconds),
    messagesPerSec: Math.round(drain.acked / seconds),
    mbPerSec: round3(drain.bytes / (1024 * 1024) / seconds),
    p50Ms: drain.latency.percentileMs(50),
    p99Ms: drain.latency.percentileMs(99),
    p999Ms: drain.latency.percentileMs(99.9),
    ackErrors: drain.ackErrors,
    unacked: Math.max(0, fill.count - drain.acked),
    fill,
  };
}

export function describeQueueBench(r: QueueBenchResult): string {
  return (
    `queue: ${r.messages} messages in ${r.seconds} s, ${r.messagesPerSec} msgs/s receive+ack, ` +
    `${r.mbPerSec} MiB/s, latency p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms, p99.9 ${r.p999Ms} ms ` +
    `(${r.consumers} consumers, ${r.partitions} partitions, up to ${r.maxPerLease} per lease); ` +
    `fill ${r.fill.recordsPerSec} records/s, ${r.fill.mbPerSec} MiB/s; ` +
    `${r.fill.errors} failed sends, ${r.ackErrors} refused acks, ${r.unacked} unacked`
  );
}
