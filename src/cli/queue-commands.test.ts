import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import type {
  QueueConsumerOptions,
  QueueMessage,
  QueueGroupDeletion,
  QueuePartitionGroups,
  QueuePartitionStats,
  ReceiptOutcome,
} from '../client/index.js';
import type { CliDeps, CliIo, CliQueueConsumer, CliSession } from './cli-context.js';
import { runCli } from './run-cli.js';

const utf8 = new TextEncoder();

function message(partition: number, offset: number): QueueMessage {
  const receipt = `t:${partition}:${offset}:${offset + 100}`;
  return {
    topic: 't',
    partition,
    offset,
    key: utf8.encode('k'),
    value: utf8.encode(`v${offset}`),
    headers: [],
    timestampMs: 1,
    deliveryCount: 1,
    leaseExpiresAtMs: 5,
    leaseId: BigInt(offset + 100),
    receipt,
    ack: async () => undefined,
    nack: async () => undefined,
    extend: async () => 5,
  };
}

const stats = (partition: number, depth: number): QueuePartitionStats => ({
  partition,
  depth,
  inFlight: 1,
  delayed: 0,
  oldestAgeMs: 10 * depth,
  deadLettered: 0,
  ackFloor: 0,
  highWatermark: depth,
});

function harness(
  messages: QueueMessage[],
  deletions: QueueGroupDeletion[] = [],
  listing: QueuePartitionGroups[] = [],
) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const calls: unknown[] = [];
  const outcome = (receipt: string): ReceiptOutcome =>
    receipt.endsWith(':0')
      ? { receipt, ok: false, error: new RaftlogError('LEASE_EXPIRED', 'leased again since') }
      : { receipt, ok: true, leaseExpiresAtMs: 0 };
  const consumer = (options: QueueConsumerOptions): CliQueueConsumer => {
    calls.push({ consumer: options });
    return {
      receive: async () => [...messages],
      ackReceipts: async (r) => (calls.push({ ack: r }), r.map(outcome)),
      nackReceipts: async (r, o) => (calls.push({ nack: r, o }), r.map(outcome)),
      extendReceipts: async (r, ms) => (calls.push({ extend: r, ms }), r.map(outcome)),
      close: async () => void calls.push('close'),
    };
  };
  const session = {
    queues: {
      consumer,
      stats: async () => [stats(0, 3), stats(1, 4)],
      redrive: async () => ({ moved: 7, skipped: 0 }),
      deleteGroup: async (topic: string, queue: string) => (
        calls.push({ deleteGroup: [topic, queue] }),
        deletions
      ),
      listGroups: async (topic: string) => (calls.push({ listGroups: topic }), listing),
    },
    close: () => undefined,
  } as unknown as CliSession;
  const io: CliIo = {
    out: (l) => stdout.push(l),
    err: (l) => stderr.push(l),
    write: () => undefined,
    stdinLines: async function* () {},
    env: {},
    progressStream: undefined,
  };
  const deps: CliDeps = {
    connect: () => session,
    runNode: async () => undefined,
    runLocalCluster: async () => undefined,
    restartLocalNode: () => Promise.reject(new Error('not in this test')),
  };
  return { stdout, stderr, calls, run: (args: string[]) => runCli(args, io, deps) };
}

describe('raftlog queue', () => {
  it('receive --json prints one object per message and gives back what is over --max', async () => {
    const h = harness([message(0, 1), message(1, 2), message(1, 3)]);
    expect(await h.run(['--json', 'queue', 'receive', 't', '--max', '2', '--queue', 'w'])).toBe(0);
    expect(h.stdout.map((l) => JSON.parse(l) as unknown)).toEqual([
      { partition: 0, offset: 1, key: 'k', value: 'v1', deliveryCount: 1, receipt: 't:0:1:101' },
      { partition: 1, offset: 2, key: 'k', value: 'v2', deliveryCount: 1, receipt: 't:1:2:102' },
    ]);
    expect(h.calls).toContainEqual({ nack: ['t:1:3:103'], o: undefined });
    expect(h.calls[0]).toEqual({
      consumer: {
        topic: 't',
        queue: 'w',
        maxMessages: 2,
        visibilityTimeoutMs: 0,
        waitMs: 1000,
        autoExtend: false,
      },
    });
  });

  it('receive --ack prints values and acks them', async () => {
    const h = harness([message(0, 1)]);
    expect(await h.run(['queue', 'receive', 't', '--ack'])).toBe(0);
    expect(h.stdout).toEqual(['v1']);
    expect(h.calls).toContainEqual({ ack: ['t:0:1:101'] });
  });

  it('ack prints each outcome and exits 1 when one failed', async () => {
    const h = harness([]);
    expect(await h.run(['queue', 'ack', 't', 't:0:1:1', 't:0:2:0'])).toBe(1);
    expect(h.stdout).toEqual(['t:0:1:1 ok', 't:0:2:0 LEASE_EXPIRED: leased again since']);
  });

  it('nack passes the delay and the error', async () => {
    const h = harness([]);
    expect(await h.run(['queue', 'nack', 't', 't:0:1:1', '--delay-ms', '500', '--error', 'bad input'])).toBe(
      0,
    );
    expect(h.calls).toContainEqual({ nack: ['t:0:1:1'], o: { delayMs: 500, error: 'bad input' } });
  });

  it('extend needs --visibility-ms', async () => {
    const h = harness([]);
    expect(await h.run(['queue', 'extend', 't', 't:0:1:1'])).toBe(1);
    expect(await h.run(['--json', 'queue', 'extend', 't', 't:0:1:1', '--visibility-ms', '9000'])).toBe(0);
    expect(h.calls).toContainEqual({ extend: ['t:0:1:1'], ms: 9000 });
    expect(h.stdout).toEqual(['{"receipt":"t:0:1:1","ok":true,"leaseExpiresAtMs":0}']);
  });

  it('stats prints a row per partition and the total', async () => {
    const h = harness([]);
    expect(await h.run(['queue', 'stats', 't'])).toBe(0);
    expect(h.stdout).toEqual([
      'PARTITION  DEPTH  IN-FLIGHT  DELAYED  OLDEST-AGE-MS  DEAD-LETTERED',
      '0          3      1          0        30             0',
      '1          4      1          0        40             0',
      'total      7      2          0        40             0',
    ]);
    expect(await h.run(['--json', 'queue', 'stats', 't'])).toBe(0);
    expect(JSON.parse(h.stdout[4]!)).toMatchObject({
      topic: 't',
      queue: 'default',
      total: { depth: 7, inFlight: 2 },
    });
  });

  it('redrive prints how many moved', async () => {
    const h = harness([]);
    expect(await h.run(['queue', 'redrive', 'dlq'])).toBe(0);
    expect(h.stdout).toEqual(['moved 7']);
  });

  it('delete-group needs --queue, reports each partition and fails only if no partition had the group', async () => {
    const absent = (partition: number): QueueGroupDeletion => ({
      partition,
      ok: false,
      code: 'QUEUE_GROUP_NOT_FOUND',
      message: 'absent',
    });
    const h = harness([], [{ partition: 0, ok: true }, absent(1)]);
    expect(await h.run(['queue', 'delete-group', 't'])).not.toBe(0);
    expect(h.calls).toEqual([]);
    expect(await h.run(['queue', 'delete-group', 't', '--queue', 'old'])).toBe(0);
    expect(h.calls).toEqual([{ deleteGroup: ['t', 'old'] }]);
    expect(h.stdout).toEqual([
      'partition 1: no queue group old',
      'deleted queue group old of t on 1 of 2 partitions',
    ]);
    expect(await h.run(['--json', 'queue', 'delete-group', 't', '--queue', 'old'])).toBe(0);
    expect(JSON.parse(h.stdout[2]!)).toEqual({
      topic: 't',
      queue: 'old',
      deleted: 1,
      partitions: [
        { partition: 0, ok: true },
        { partition: 1, ok: false, code: 'QUEUE_GROUP_NOT_FOUND', message: 'absent' },
      ],
    });
    const nowhere = harness([], [absent(0), absent(1)]);
    expect(await nowhere.run(['queue', 'delete-group', 't', '--queue', 'old'])).toBe(1);
    const leaderless = harness(
      [],
      [
        { partition: 0, ok: true },
        { ...absent(1), code: 'TIMEOUT' },
      ],
    );
    expect(await leaderless.run(['queue', 'delete-group', 't', '--queue', 'old'])).toBe(1);
  });

  it('list-groups prints each group with its partitions and exits 1 when a partition failed', async () => {
    const listing: QueuePartitionGroups[] = [
      { partition: 0, ok: true, value: ['billing', 'workers'] },
      { partition: 1, ok: true, value: ['workers'] },
      { partition: 2, ok: true, value: [] },
    ];
    const h = harness([], [], listing);
    expect(await h.run(['queue', 'list-groups', 't'])).toBe(0);
    expect(h.calls).toEqual([{ listGroups: 't' }]);
    expect(h.stdout).toEqual(['billing  partitions 0', 'workers  partitions 0,1']);
    expect(await h.run(['--json', 'queue', 'list-groups', 't'])).toBe(0);
    expect(JSON.parse(h.stdout[2]!)).toEqual({
      topic: 't',
      groups: [
        { queue: 'billing', partitions: [0] },
        { queue: 'workers', partitions: [0, 1] },
      ],
      failed: [],
    });
    const none = harness([], [], [{ partition: 0, ok: true, value: [] }]);
    expect(await none.run(['queue', 'list-groups', 't'])).toBe(0);
    expect(none.stdout).toEqual(['no queue groups on t']);
    const failing = harness(
      [],
      [],
      [listing[0]!, { partition: 1, ok: false, code: 'TIMEOUT', message: 'no leader' }],
    );
    expect(await failing.run(['queue', 'list-groups', 't'])).toBe(1);
    expect(failing.stdout).toEqual([
      'billing  partitions 0',
      'workers  partitions 0',
      'partition 1: TIMEOUT: no leader',
    ]);
  });
});
