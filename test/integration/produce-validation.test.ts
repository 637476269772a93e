import { describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { startCluster, type TestCluster } from './harness/index.js';

const utf8 = new TextEncoder();
/** A refused batch must be answered well before a produce timeout (10 s) would. */
const refusalMsMax = 3_000;

/** A well-formed batch (valid CRC) whose header timestamps are 2^60, beyond any safe integer. */
function batchWithHugeTimestamp(): Uint8Array {
  const bytes = encodeRecordBatch({ timestamp: 1, records: [{ value: utf8.encode('far future') }] });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const at of [23, 31]) {
    view.setUint32(at, 2 ** 28);
    view.setUint32(at + 4, 0);
  }
  view.setUint32(13, crc32c(bytes, 0, 17, bytes.length));
  return bytes;
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
    // Within the topic's 1 MiB but over what one Raft append and one peer frame carry.
    const nearly = encodeRecordBatch({
      timestamp: Date.now(),
      records: [{ value: new Uint8Array(1_048_000) }],
    });
    const second = await refusal(produce(cluster, 'big', 0, nearly));
    expect(second.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(second.error.message).toMatch(/proposal limit/);
    expect(second.ms).toBeLessThan(refusalMsMax);
    const after = await produce(cluster, 'big', 0, small('after'));
    expect(Number(after.baseOffset)).toBe(1);
    const read = await cluster.readPartition('big', 0);
    expect(read.map((r) => r.value)).toEqual(['before', 'after']);
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
});
