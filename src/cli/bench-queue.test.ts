import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import type { QueueConsumerOptions, QueueMessage, ReceiptOutcome } from '../client/index.js';
import { describeQueueBench, drainQueue, queueBenchResult, type QueueBenchConsumer } from './bench-queue.js';
import { LatencyRecorder, noProgress } from './bench-runner.js';
import type { CliDeps, CliQueueConsumer, CliSession } from './cli-context.js';
import { runCli } from './run-cli.js';
import { memoryIo } from './testing/memory-io.js';

function message(offset: number, bytes = 10): QueueMessage {
  return {
    topic: 't',
    partition: 0,
    offset,
    key: null,
    value: new Uint8Array(bytes),
    headers: [],
    timestampMs: 0,
    deliveryCount: 1,
    leaseExpiresAtMs: 0,
    leaseId: 1n,
    receipt: `t:0:${offset}:1`,
    ack: async () => undefined,
    nack: async () => undefined,
    extend: async () => 0,
  };
}

/** Consumers competing for `total` messages, `perRound` at a time; `refuse` says which acks fail. */
function sharedQueue(total: number, perRound: number, refuse: (offset: number) => boolean = () => false) {
  const pending = Array.from({ length: total }, (_, i) => i);
  const ackCalls: number[] = [];
  const consumer = (): QueueBenchConsumer & Pick<CliQueueConsumer, 'close'> => ({
    receive: async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return pending.splice(0, perRound).map((o) => message(o));
    },
    ackReceipts: async (receipts): Promise<ReceiptOutcome[]> => {
      ackCalls.push(receipts.length);
      return receipts.map((receipt) => {
        const offset = Number(receipt.split(':')[2]);
        if (!refuse(offset)) return { receipt, ok: true, leaseExpiresAtMs: 0 };
        pending.push(offset);
        return { receipt, ok: false, error: new RaftlogError('LEASE_EXPIRED', 'leased again since') };
      });
    },
    close: async () => undefined,
  });
  return { consumer, ackCalls, pending };
}

describe('drainQueue', () => {
  it('acks every message once across competing consumers, one ack call per round', async () => {
    const q = sharedQueue(1000, 70);
    const r = await drainQueue(
      [q.consumer(), q.consumer(), q.consumer()],
      { count: 1000, idleTimeoutMs: 1000 },
      noProgress,
    );
    expect(r).toMatchObject({ acked: 1000, ackErrors: 0, bytes: 10_000 });
    expect(q.ackCalls.reduce((a, b) => a + b, 0)).toBe(1000);
    expect(q.ackCalls.length).toBe(Math.ceil(1000 / 70));
    expect(r.latency.percentileMs(50)).toBeGreaterThan(0);
  });

  it('splits a round into acks of at most 1000, as the server takes', async () => {
    const q = sharedQueue(2500, 2500);
    const r = await drainQueue([q.consumer()], { count: 2500, idleTimeoutMs: 1000 }, noProgress);
    expect(r.acked).toBe(2500);
    expect(q.ackCalls).toEqual([1000, 1000, 500]);
  });

  it('counts refused acks and acks those messages when they come back', async () => {
    let refused = 0;
    const q = sharedQueue(100, 30, (offset) => offset % 10 === 0 && refused++ < 10);
    const r = await drainQueue([q.consumer(), q.consumer()], { count: 100, idleTimeoutMs: 1000 }, noProgress);
    expect(r).toMatchObject({ acked: 100, ackErrors: 10 });
  });

  it('gives up after the idle timeout when messages are missing', async () => {
    const q = sharedQueue(5, 10);
    const r = await drainQueue([q.consumer()], { count: 8, idleTimeoutMs: 30 }, noProgress);
    expect(r.acked).toBe(5);
  });

  it('pauses on a retriable receive failure and stops on any other', async () => {
    let calls = 0;
    const flaky: QueueBenchConsumer = {
      receive: async () => {
        if (calls++ === 0) throw new RaftlogError('LEADER_NOT_AVAILABLE', 'electing');
        return calls === 2 ? [message(0)] : [];
      },
      ackReceipts: async (receipts) =>
        receipts.map((receipt) => ({ receipt, ok: true, leaseExpiresAtMs: 0 })),
    };
    const r = await drainQueue([flaky], { count: 1, idleTimeoutMs: 1000, retryDelayMs: 1 }, noProgress);
    expect(r.acked).toBe(1);
    const broken: QueueBenchConsumer = {
      ...flaky,
      receive: () => Promise.reject(new RaftlogError('TOPIC_NOT_FOUND', 'gone')),
    };
    await expect(drainQueue([broken], { count: 1, idleTimeoutMs: 1000 }, noProgress)).rejects.toThrow(/gone/);
  });
});

describe('queueBenchResult', () => {
  it('rates the acked messages over the drain time and reports what was never acked', () => {
    const latency = new LatencyRecorder();
    latency.recordMs(4, 900);
    latency.recordMs(40, 100);
    const fill = {
      recordsPerSec: 5000,
      mbPerSec: 4.883,
      p50Ms: 1,
      p90Ms: 1.5,
      p99Ms: 2,
      p999Ms: 3,
      maxMs: 4,
      count: 1000,
      errors: 0,
    };
    const r = queueBenchResult(
      { topic: 't', queue: 'bench', partitions: 3, consumers: 2, maxPerLease: 500 },
      fill,
      { acked: 990, ackErrors: 2, bytes: 990 * 1024, elapsedMs: 500, latency },
    );
    expect(r).toMatchObject({ messages: 990, seconds: 0.5, messagesPerSec: 1980, unacked: 10, ackErrors: 2 });
    expect(r.mbPerSec).toBeCloseTo(1.934, 3);
    expect(r.p50Ms).toBeCloseTo(4, 1);
    expect(r.p99Ms).toBeCloseTo(40, 0);
    // The histogram's buckets are not exact: the line is checked with round figures.
    expect(describeQueueBench({ ...r, p50Ms: 4, p99Ms: 40, p999Ms: 40 })).toBe(
      'queue: 990 messages in 0.5 s, 1980 msgs/s receive+ack, 1.934 MiB/s, latency p50 4 ms, p99 40 ms, ' +
        'p99.9 40 ms (2 consumers, 3 partitions, up to 500 per lease); fill 5000 records/s, 4.883 MiB/s; ' +
        '0 failed sends, 2 refused acks, 10 unacked',
    );
  });
});

describe('raftlog bench queue', () => {
  function harness() {
    const q = sharedQueue(40, 15);
    const topics: { name: string; partitions: number }[] = [];
    const options: QueueConsumerOptions[] = [];
    const session = {
      admin: { createTopic: async (t: { name: string; partitions: number }) => void topics.push(t) },
      producer: () => ({ send: async () => ({ partition: 0, offset: 0 }), close: async () => undefined }),
      queues: {
        consumer: (o: QueueConsumerOptions) => (options.push(o), q.consumer()),
      },
      close: () => undefined,
    } as unknown as CliSession;
    const deps: CliDeps = {
      connect: () => session,
      runNode: async () => undefined,
      runLocalCluster: async () => undefined,
      restartLocalNode: () => Promise.reject(new Error('not in this test')),
    };
    return { deps, topics, options };
  }

  it('fills a fresh topic, drains it with --consumers consumers and prints JSON', async () => {
    const h = harness();
    const io = memoryIo();
    const args = [
      '--json',
      'bench',
      'queue',
      '--count',
      '40',
      '--consumers',
      '2',
      '--max',
      '15',
      '--queue',
      'q',
    ];
    expect(await runCli(args, io, h.deps)).toBe(0);
    expect(h.topics).toEqual([
      { name: expect.stringMatching(/^bench-queue-/) as string, partitions: 3, replicas: 0 },
    ]);
    expect(h.options).toHaveLength(2);
    expect(h.options[0]).toMatchObject({ queue: 'q', maxMessages: 15, autoExtend: false });
    const r = JSON.parse(io.stdout[0]!) as Record<string, unknown>;
    expect(r).toMatchObject({ messages: 40, consumers: 2, maxPerLease: 15, unacked: 0, fill: { count: 40 } });
  });

  it.each([
    [['--max', '1001'], /--max/],
    [['--consumers', '0'], /--consumers/],
    [['--size', 'big'], /--size/],
  ])('refuses %j before touching the cluster', async (flags, message) => {
    const h = harness();
    const io = memoryIo();
    expect(await runCli(['bench', 'queue', ...flags], io, h.deps)).toBe(1);
    expect(io.stderr[0]).toMatch(/^raftlog: INVALID_ARGUMENT: /);
    expect(io.stderr[0]).toMatch(message);
    expect(h.topics).toEqual([]);
  });
});
