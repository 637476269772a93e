import type { ServiceError } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeRecords, encodeRecordBatch, RaftlogError } from '../../../lib/index.js';
import { Acks } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { batchOf, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

const text = new TextDecoder();

/** The client-side RaftlogError of a failed call, with the gRPC status it travelled under. */
async function failure(
  call: Promise<unknown>,
): Promise<{ code: string; grpc: number; message: string; hint?: string }> {
  const error = await call.then(
    () => expect.fail('the call should have failed'),
    (e: unknown) => e,
  );
  if (!(error instanceof RaftlogError)) throw error;
  const grpc = (error.cause as ServiceError).code;
  return {
    code: error.code,
    grpc,
    message: error.message,
    ...(error.leaderHint === undefined ? {} : { hint: error.leaderHint }),
  };
}

describe('Produce and Fetch over gRPC', () => {
  it('appends batches and reads them back as stored', async () => {
    const { broker, api } = await startServices();
    const first = await broker.produce({ topic: 't', partition: 1, batch: batchOf('a', 'b') });
    const second = await broker.produce({ topic: 't', partition: 1, batch: batchOf('c'), acks: Acks.LEADER });
    expect(first).toMatchObject({
      topic: 't',
      partition: 1,
      baseOffset: 0n,
      lastOffset: 1n,
      acksAchieved: Acks.QUORUM,
    });
    expect(second).toMatchObject({
      baseOffset: 2n,
      lastOffset: 2n,
      acksAchieved: Acks.LEADER,
      replicasTotal: 1,
    });
    expect(api.produced.map((p) => p.acks)).toEqual(['quorum', 'leader']);

    const fetched = await broker.fetch({ partitions: [{ topic: 't', partition: 1, offset: 1n }] });
    const p = fetched.partitions[0]!;
    expect(p).toMatchObject({ topic: 't', partition: 1, highWatermark: 3n, nextOffset: 3n });
    expect(p.error).toBeUndefined();
    const values = decodeRecords(p.records.subarray(0, p.records.length - batchOf('c').length)).map((r) =>
      text.decode(r.value ?? new Uint8Array()),
    );
    expect(values).toEqual(['a', 'b']);
  });

  it('refuses malformed produce requests with the right code before the node sees them, all but a bad CRC', async () => {
    const { broker, api } = await startServices({ produceBatchBytesMax: 4096 });
    const good = batchOf('x');
    const badCrc = good.slice();
    badCrc[good.length - 1]! ^= 0xff;
    const big = encodeRecordBatch({ records: [{ value: new Uint8Array(5000) }], timestamp: 1 });
    const offset = good.slice();
    offset[7] = 9;
    const cases: [string, Parameters<typeof broker.produce>[0], string][] = [
      ['bad topic name', { topic: 'no spaces', batch: good }, 'INVALID_TOPIC_NAME'],
      ['empty topic name', { topic: '', batch: good }, 'INVALID_TOPIC_NAME'],
      ['oversized batch', { topic: 't', batch: big }, 'MESSAGE_TOO_LARGE'],
      ['garbage bytes', { topic: 't', batch: new Uint8Array([1, 2, 3]) }, 'CORRUPT_MESSAGE'],
      ['empty batch', { topic: 't', batch: new Uint8Array(0) }, 'INVALID_ARGUMENT'],
      ['non-zero base offset', { topic: 't', batch: offset }, 'INVALID_ARGUMENT'],
      ['unknown acks', { topic: 't', batch: good, acks: 9 as Acks }, 'INVALID_ARGUMENT'],
      [
        'transactional flag without a transactional batch',
        { topic: 't', batch: good, transactional: true },
        'INVALID_ARGUMENT',
      ],
    ];
    for (const [what, request, code] of cases) {
      const seen = await failure(broker.produce(request));
      expect([what, seen.code, seen.grpc]).toEqual([what, code, status.INVALID_ARGUMENT]);
    }
    expect(api.produced).toHaveLength(0);
    // The CRC32C is the partition leader's to check, once (cluster/partition/validate-append-batch.ts).
    await broker.produce({ topic: 't', batch: badCrc });
    expect(api.produced).toHaveLength(1);
  });

  it('passes the node’s refusals through: unknown partition, unknown topic', async () => {
    const { broker } = await startServices();
    expect(await failure(broker.produce({ topic: 't', partition: 7, batch: batchOf('x') }))).toMatchObject({
      code: 'PARTITION_NOT_FOUND',
      grpc: status.NOT_FOUND,
    });
    expect(await failure(broker.produce({ topic: 'nope', batch: batchOf('x') }))).toMatchObject({
      code: 'TOPIC_NOT_FOUND',
      grpc: status.NOT_FOUND,
    });
  });

  it('gives a client on a follower NOT_LEADER with the leader’s address', async () => {
    const { broker, api } = await startServices();
    api.leaderElsewhere.set('t/0', '127.0.0.9:9092');
    expect(await failure(broker.produce({ topic: 't', partition: 0, batch: batchOf('x') }))).toMatchObject({
      code: 'NOT_LEADER',
      grpc: status.FAILED_PRECONDITION,
      hint: '127.0.0.9:9092',
    });
    const fetched = await broker.fetch({
      partitions: [
        { topic: 't', partition: 0 },
        { topic: 't', partition: 1 },
      ],
    });
    expect(fetched.partitions[0]!.error).toMatchObject({
      code: ErrorCode.NOT_LEADER,
      retriable: true,
      leaderHint: '127.0.0.9:9092',
    });
    expect(fetched.partitions[1]!.error).toBeUndefined();
  });

  it('judges a queue lease before the node sees it: a missing topic name is INVALID_TOPIC_NAME', async () => {
    const { broker } = await startServices();
    expect(await failure(broker.lease({ queue: 'q' }))).toMatchObject({
      code: 'INVALID_TOPIC_NAME',
      grpc: status.INVALID_ARGUMENT,
    });
  });

  it('refuses a decommission that would leave the cluster short with FAILED_PRECONDITION and our code', async () => {
    const { admin } = await startServices();
    expect(await failure(admin.removeNode({ nodeId: 1 }))).toMatchObject({
      code: 'CLUSTER_TOO_SMALL',
      grpc: status.FAILED_PRECONDITION,
    });
  });
});
