import { describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { startCluster, type TestCluster } from './harness/index.js';

const utf8 = new TextEncoder();
/** A refused batch must be answered well before a produce timeout (10 s) would. */
const refusalMsMax = 3_000;

/** `bytes` changed by `edit`, with its CRC made right again: well formed on the wire. */
function resealed(bytes: Uint8Array, edit: (view: DataView) => void): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  edit(view);
  view.setUint32(13, crc32c(bytes, 0, 17, bytes.length));
  return bytes;
}

/** A well-formed batch (valid CRC) whose header timestamps are 2^60, beyond any safe integer. */
function batchWithHugeTimestamp(): Uint8Array {
  const bytes = encodeRecordBatch({ timestamp: 1, records: [{ value: utf8.encode('far future') }] });
  return resealed(bytes, (view) => {
    for (const at of [23, 31]) {
      view.setUint32(at, 2 ** 28);
      view.setUint32(at + 4, 0);
    }
  });
}

async function produce(cluster: TestCluster, topic: string, partition: number, batch: Uint8Array) {
  const leader = await cluster.waitForLeader(topic, partition);
  return cluster
    .broker(leader.address)
    .produce({ topic, partition, batch, acks: Acks.QUORUM, timeoutMs: 10_000 });
}

async function refusal(promise: Promise<unknown>): Promise<{ error: RaftlogError; ms: number }> {
  const started = Date.now();
  const error = await promise.then(
    () => undefined,
    (e: unknown) => RaftlogError.from(e),
  );
  if (error === undefined) throw new Error('the produce was accepted');
  return { error, ms: Date.now() - started };
}

/**
 * The refusal of a request sent to the partition's leader. Leadership may move under a loaded machine
 * between finding the leader and sending: NOT_LEADER is no answer about the batch, so ask the new one.
 */
async function refusalAtLeader(
  cluster: TestCluster,
  send: (broker: ReturnType<TestCluster['broker']>) => Promise<unknown>,
): Promise<{ error: RaftlogError; ms: number }> {
  for (let attempt = 1; ; attempt++) {
    const leader = await cluster.waitForLeader('paths', 0);
    const answer = await refusal(send(cluster.broker(leader.address)));
    if (answer.error.code !== 'NOT_LEADER' || attempt === 3) return answer;
  }
}

const small = (value: string) =>
  encodeRecordBatch({ timestamp: Date.now(), records: [{ value: utf8.encode(value) }] });

describe('batches the partition must refuse before proposing, 3 nodes', () => {
  it('answers an oversized batch at once with MESSAGE_TOO_LARGE and stays writable', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('big', 1, 3);
    await produce(cluster, 'big', 0, small('before'));
    const huge = encodeRecordBatch({
      timestamp: Date.now(),
      records: [{ value: new Uint8Array(2 * 1024 * 1024) }],
    });
    const { error, ms } = await refusal(produce(cluster, 'big', 0, huge));
    expect(error.code).toBe('MESSAGE_TOO_LARGE');
    expect(error.message).toMatch(/maxMessageBytes/);
    expect(ms).toBeLessThan(refusalMsMax);
    // Just within the topic's 1 MiB: one peer frame carries it, so it is committed, not refused.
    const nearly = encodeRecordBatch({
      timestamp: Date.now(),
      records: [{ value: new Uint8Array(1_048_000) }],
    });
    expect(Number((await produce(cluster, 'big', 0, nearly)).baseOffset)).toBe(1);
    const after = await produce(cluster, 'big', 0, small('after'));
    expect(Number(after.baseOffset)).toBe(2);
    const read = await cluster.readPartition('big', 0);
    expect(read.map((r) => r.value.length)).toEqual([6, 1_048_000, 5]);
  }, 90_000);

  it('answers a batch with 2^60 timestamps with CORRUPT_MESSAGE and every partition stays writable', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('clock', 2, 3);
    const { error, ms } = await refusal(produce(cluster, 'clock', 0, batchWithHugeTimestamp()));
    expect(error.code).toBe('CORRUPT_MESSAGE');
    expect(error.message).toMatch(/timestamp/i);
    expect(ms).toBeLessThan(refusalMsMax);
    for (const partition of [0, 1]) {
      const ok = await produce(cluster, 'clock', partition, small(`after ${partition}`));
      expect(Number(ok.baseOffset)).toBe(0);
    }
    // Every replica is still alive and applying.
    for (const node of cluster.nodes) await cluster.waitInSync('clock', node.id, 20_000);
    expect(cluster.liveNodes().length).toBe(3);
    const read = await cluster.readPartition('clock', 0);
    expect(read.map((r) => r.value)).toEqual(['after 0']);
  }, 90_000);

  it('refuses bad batches on every produce path (acks none, leader, quorum; ProduceStream) and loses nothing', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic('paths', 1, 3);
    const leader = await cluster.waitForLeader('paths', 0);
    const broker = cluster.broker(leader.address);
    const idem = (sequence: number) =>
      encodeRecordBatch({
        timestamp: Date.now(),
        producerId: 5,
        producerEpoch: 0,
        baseSequence: 0,
        records: [{ value: utf8.encode(`seq ${sequence}`) }],
      });
    const bad: [string, () => Uint8Array, string, { transactional?: boolean }][] = [
      ['2^60 timestamps', batchWithHugeTimestamp, 'CORRUPT_MESSAGE', {}],
      ['control bit set', () => resealed(small('c'), (v) => v.setInt16(17, 0x20)), 'INVALID_ARGUMENT', {}],
      [
        'unknown attribute bit',
        () => resealed(small('u'), (v) => v.setInt16(17, 0x40)),
        'CORRUPT_MESSAGE',
        {},
      ],
      ['negative baseSequence', () => resealed(idem(0), (v) => v.setInt32(49, -5)), 'INVALID_ARGUMENT', {}],
      ['negative epoch', () => resealed(idem(0), (v) => v.setInt16(47, -1)), 'INVALID_ARGUMENT', {}],
      // Producer 5 has no open transaction holding this partition (none was added with AddPartitionsToTxn).
      [
        'transactional batch outside a transaction',
        () =>
          encodeRecordBatch({
            ...{ timestamp: 1, producerId: 5, producerEpoch: 0, baseSequence: 0 },
            transactional: true,
            records: [{ value: null }],
          }),
        'INVALID_TXN_STATE',
        { transactional: true },
      ],
    ];
    for (const acks of [Acks.NONE, Acks.LEADER, Acks.QUORUM]) {
      for (const [what, make, code, extra] of bad) {
        const request = { topic: 'paths', partition: 0, batch: make(), acks, timeoutMs: 10_000, ...extra };
        const { error, ms } = await refusalAtLeader(cluster, (b) =>
          b.produce(extra.transactional === true ? { ...request, transactionalId: 'tx' } : request),
        );
        expect([acks, what, error.code]).toEqual([acks, what, code]);
        expect(ms).toBeLessThan(refusalMsMax);
      }
    }
    // The same on one ProduceStream, between two good batches that both land.
    const stream = broker.produceStream();
    const batches = [small('first'), batchWithHugeTimestamp(), small('second')];
    for (const [i, batch] of batches.entries()) {
      await stream.send({
        correlationId: BigInt(i),
        produce: { topic: 'paths', partition: 0, batch, acks: Acks.QUORUM },
      });
    }
    stream.end();
    const answers = [];
    for await (const response of stream.responses) answers.push(response);
    expect(answers.map((a) => [Number(a.correlationId), a.result?.error?.message ?? 'ok'])).toEqual([
      [0, 'ok'],
      [1, expect.stringMatching(/timestamp/i)],
      [2, 'ok'],
    ]);
    for (const node of cluster.nodes) await cluster.waitInSync('paths', node.id, 20_000);
    const read = await cluster.readPartition('paths', 0);
    expect(read.map((r) => r.value)).toEqual(['first', 'second']);
  }, 120_000);
});
