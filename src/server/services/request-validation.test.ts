import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../../lib/index.js';
import type { IsolationLevel } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { batchOf, startServices, stopServices, type Services } from './testing/start-services.js';

/** What a failed call carried: the gRPC status, our code in the trailers, the message. */
async function failure(call: Promise<unknown>): Promise<{ grpc: number; code: string; message: string }> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RaftlogError)) throw new Error(`expected a RaftlogError, got ${String(error)}`);
  const grpc = (error.cause as { code?: number } | undefined)?.code ?? -1;
  return { grpc, code: error.code, message: error.message };
}

let s: Services;
beforeAll(async () => {
  s = await startServices();
  await s.broker.produce({ topic: 't', partition: 0, batch: batchOf('a') });
});
afterAll(stopServices);

const recordAt = (timestampMs: bigint) => ({
  topic: 't',
  partition: 0,
  records: [{ value: new Uint8Array(1), timestampMs }],
});

const one = (over: object = {}) => ({ partitions: [{ topic: 't', partition: 0, offset: 0n, ...over }] });

// "At once" here means no wait was served (a fetch may wait up to 30 s): unit files share two busy cores,
// so the bound leaves room for a slow machine; the 1 s promise is checked against real nodes in
// test/integration/hostile-client.test.ts.
const answerMsMax = 5_000;

describe('bad requests to the Broker and Admin services', () => {
  const invalid = (): [string, () => Promise<unknown>, string, RegExp][] => [
    ['a negative offset', () => s.broker.fetch(one({ offset: -1n })), 'INVALID_ARGUMENT', /offset of t\/0/],
    ['an offset of 2^62', () => s.broker.fetch(one({ offset: 2n ** 62n })), 'INVALID_ARGUMENT', /2\^53-1/],
    [
      '10,000 partitions in one fetch',
      () =>
        s.broker.fetch({
          partitions: Array.from({ length: 10_000 }, (_, i) => ({ topic: 't', partition: i, offset: 0n })),
        }),
      'INVALID_ARGUMENT',
      /at most 1000 partitions, got 10000/,
    ],
    ['no partition', () => s.broker.fetch({ partitions: [] }), 'INVALID_ARGUMENT', /at least one/],
    [
      'queue stats of 100,000 partitions',
      () => s.broker.queueStats({ queue: 'q', topic: 't', partitions: new Array<number>(100_000).fill(0) }),
      'INVALID_ARGUMENT',
      /at most 1000 partitions per queue stats/,
    ],
    [
      'queue stats naming a partition twice',
      () => s.broker.queueStats({ queue: 'q', topic: 't', partitions: [0, 0] }),
      'INVALID_ARGUMENT',
      /more than once/,
    ],
    [
      'a lease naming a partition twice',
      () => s.broker.lease({ queue: 'q', topic: 't', partitions: [0, 0] }),
      'INVALID_ARGUMENT',
      /more than once/,
    ],
    // int64 values are quoted exactly as sent, never as a rounded JS number (9223372036854776000).
    [
      'a record timestamp of 2^63-1',
      () => s.broker.produceRecords(recordAt(2n ** 63n - 1n)),
      'INVALID_ARGUMENT',
      /timestamp_ms must be in \[0, 4503599627370496\] \(0: the append time\), got 9223372036854775807$/,
    ],
    [
      'a record timestamp of -2^63',
      () => s.broker.produceRecords(recordAt(-(2n ** 63n))),
      'INVALID_ARGUMENT',
      /got -9223372036854775808$/,
    ],
    [
      'a record timestamp just past the largest',
      () => s.broker.produceRecords(recordAt(2n ** 52n + 1n)),
      'INVALID_ARGUMENT',
      /got 4503599627370497$/,
    ],
    [
      'a lease id of 2^64-1',
      () =>
        s.broker.ack({
          queue: 'q',
          leases: [{ topic: 't', partition: 0, offset: 0n, leaseId: 2n ** 64n - 1n }],
        }),
      'INVALID_ARGUMENT',
      /lease_id must be in \[0, 2\^53-1\], got 18446744073709551615$/,
    ],
    [
      'a transactional offset commit at 2^63-1',
      () =>
        s.broker.txnOffsetCommit({
          transactionalId: 'tx',
          producerId: 1n,
          groupId: 'g',
          offsets: [{ topic: 't', partition: 0, offset: 2n ** 63n - 1n }],
        }),
      'INVALID_ARGUMENT',
      /offset of t\/0 must be in \[0, 2\^53-1\], got 9223372036854775807$/,
    ],
    [
      'a transactional offset commit of no offsets',
      () => s.broker.txnOffsetCommit({ transactionalId: 'tx', producerId: 1n, groupId: 'g', offsets: [] }),
      'INVALID_ARGUMENT',
      /^offsets must be between 1 and \d+, got 0$/,
    ],
    ['an empty topic name', () => s.broker.fetch(one({ topic: '' })), 'INVALID_TOPIC_NAME', /non-empty/],
    [
      'the same partition twice',
      () => s.broker.fetch({ partitions: [...one().partitions, ...one().partitions] }),
      'INVALID_ARGUMENT',
      /more than once/,
    ],
    [
      'an unknown isolation level',
      () => s.broker.fetch({ ...one(), isolationLevel: 99 as IsolationLevel }),
      'INVALID_ARGUMENT',
      /isolation_level/,
    ],
    [
      'min_bytes no response can carry, with the longest wait',
      () => s.broker.fetch({ ...one({ offset: 1n }), minBytes: 2 ** 32 - 1, maxWaitMs: 2 ** 32 - 1 }),
      'INVALID_ARGUMENT',
      /min_bytes 4294967295 exceeds/,
    ],
    [
      'FetchStream with an empty topic name',
      async () => {
        for await (const _ of s.broker.fetchStream(one({ topic: '' }))) void _;
      },
      'INVALID_TOPIC_NAME',
      /non-empty/,
    ],
    ['describing ""', () => s.admin.describeTopic({ name: '' }), 'INVALID_TOPIC_NAME', /non-empty/],
    ['describing an unknown topic', () => s.admin.describeTopic({ name: 'nope' }), 'TOPIC_NOT_FOUND', /nope/],
    [
      '2^32-1 partitions',
      () => s.admin.createTopic({ name: 'x', partitions: 2 ** 32 - 1 }),
      'INVALID_ARGUMENT',
      /between 1 and/,
    ],
    [
      'a replication factor of 2^32-1',
      () => s.admin.createTopic({ name: 'x', partitions: 1, replicationFactor: 2 ** 32 - 1 }),
      'INVALID_ARGUMENT',
      /at most 7/,
    ],
    ['deleting ""', () => s.admin.deleteTopic({ name: '' }), 'INVALID_TOPIC_NAME', /non-empty/],
    [
      'moving leadership of an unknown partition',
      () => s.admin.transferLeadership({ topic: 't', partition: 2 ** 32 - 1 }),
      'PARTITION_NOT_FOUND',
      /4294967295/,
    ],
    [
      'a replica on node 0',
      () => s.admin.addReplica({ topic: 't', partition: 0, nodeId: 0 }),
      'INVALID_ARGUMENT',
      /node_id/,
    ],
    [
      'a node without a port',
      () => s.admin.addNode({ nodeId: 5, address: 'nope' }),
      'INVALID_ARGUMENT',
      /host:port/,
    ],
  ];

  it.each(invalid())('%s: a clear error at once', async (_name, call, code, message) => {
    const started = Date.now();
    const seen = await failure(call());
    expect(Date.now() - started).toBeLessThan(answerMsMax);
    expect(seen.code).toBe(code);
    expect(seen.message).toMatch(message);
    const expected = code.endsWith('NOT_FOUND') ? status.NOT_FOUND : status.INVALID_ARGUMENT;
    expect(seen.grpc).toBe(expected);
  });

  it('an unknown topic, an unknown partition or an offset past the end fail that partition only', async () => {
    const started = Date.now();
    const response = await s.broker.fetch({
      partitions: [
        { topic: 'nope', partition: 0, offset: 0n },
        { topic: 't', partition: 2 ** 32 - 1, offset: 0n },
        { topic: 't', partition: 0, offset: 5n },
        { topic: 't', partition: 1, offset: 0n },
      ],
    });
    expect(Date.now() - started).toBeLessThan(answerMsMax);
    expect(response.partitions.map((p) => [p.error?.code ?? 0, p.error?.message ?? ''])).toEqual([
      [ErrorCode.TOPIC_NOT_FOUND, expect.stringMatching(/nope/)],
      [ErrorCode.PARTITION_NOT_FOUND, expect.stringMatching(/4294967295/)],
      [ErrorCode.OFFSET_OUT_OF_RANGE, expect.stringMatching(/past the end/)],
      [0, ''],
    ]);
  });

  it('a huge max_bytes is clamped to the node limit, not honoured', async () => {
    const started = Date.now();
    const response = await s.broker.fetch({ ...one({ offset: 1n }), maxBytes: 2 ** 32 - 1, maxWaitMs: 200 });
    expect(response.partitions[0]?.error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(answerMsMax);
  });
});
