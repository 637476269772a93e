import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, OffsetOutOfRangeError, RaftlogError } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { IsolationLevel, OffsetSpec, type FetchedPartition } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster, type TestCluster } from './harness/index.js';
import type { BrokerClient } from './harness/rpc.js';

const topic = 'trimmed';

interface Positions {
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
}

describe('a fetch outside the log, 1 node', () => {
  it('answers OFFSET_OUT_OF_RANGE with the real positions on Fetch, FetchStream, FetchRecords and FetchRecordsStream', async () => {
    const cluster = await startCluster({ nodes: 1 });
    const broker = await trimmedPartition(cluster);
    const expected = await positionsNow(broker);
    expect(expected.logStartOffset).toBeGreaterThan(0);
    expect(expected.highWatermark).toBeGreaterThan(expected.logStartOffset);

    for (const offset of [0, expected.highWatermark + 5]) {
      const at = { topic, partition: 0, offset: BigInt(offset) };
      const fetched = (await broker.fetch({ partitions: [at] })).partitions[0];
      expect([offset, outOfRange(fetched)]).toEqual([offset, expected]);
      for await (const push of broker.fetchStream({ partitions: [at] }, { timeoutMs: 10_000 })) {
        expect([offset, outOfRange(push.partitions[0])]).toEqual([offset, expected]);
        break;
      }
      const unary = await broker.fetchRecords(at).then(() => undefined, errorPositions);
      expect([offset, unary]).toEqual([offset, expected]);
      const streamed = await drain(broker.fetchRecordsStream(at, { timeoutMs: 10_000 }));
      expect([offset, streamed]).toEqual([offset, expected]);
    }
  }, 120_000);
});

/**
 * A partition whose log start retention moved past 0 and whose end is further on: 20 batches of
 * about 250 bytes under a 1 KiB size retention, settled once the log start stops at a batch > 0.
 */
async function trimmedPartition(cluster: TestCluster): Promise<BrokerClient> {
  const address = cluster.nodes[0]!.address;
  await createTopic(cluster, address);
  const leader = await cluster.waitForLeader(topic, 0);
  const broker = cluster.broker(leader.address);
  for (let i = 0; i < 20; i++) {
    const records = [{ value: new Uint8Array(100) }, { value: new Uint8Array(100) }];
    await broker.produce({
      topic,
      partition: 0,
      batch: encodeRecordBatch({ records, timestamp: Date.now() }),
    });
  }
  const deadline = Date.now() + 30_000;
  while ((await positionsNow(broker)).logStartOffset === 0) {
    if (Date.now() > deadline) throw new Error('retention never moved the log start');
    await sleep(250);
  }
  return broker;
}

/** Right after start the node may not be registered yet: NOT_ENOUGH_REPLICAS is retriable. */
async function createTopic(cluster: TestCluster, address: string): Promise<void> {
  const config = { retentionBytes: 1024n };
  for (let attempt = 0; ; attempt++) {
    try {
      await cluster.admin(address).createTopic({ name: topic, partitions: 1, replicationFactor: 1, config });
      return;
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(200);
    }
  }
}

/** The positions as ListOffsets reports them (nothing is written here, so they hold). */
async function positionsNow(broker: BrokerClient): Promise<Positions> {
  const at = async (spec: OffsetSpec, isolationLevel = IsolationLevel.UNSPECIFIED) => {
    const response = await broker.listOffsets({
      partitions: [{ topic, partition: 0, spec }],
      isolationLevel,
    });
    return Number(response.offsets[0]?.offset ?? -1);
  };
  return {
    highWatermark: await at(OffsetSpec.LATEST),
    lastStableOffset: await at(OffsetSpec.LATEST, IsolationLevel.READ_COMMITTED),
    logStartOffset: await at(OffsetSpec.EARLIEST),
  };
}

function outOfRange(p: FetchedPartition | undefined): Positions | string {
  if (p?.error?.code !== ErrorCode.OFFSET_OUT_OF_RANGE) return `no OFFSET_OUT_OF_RANGE: ${p?.error?.message}`;
  return {
    highWatermark: Number(p.highWatermark),
    lastStableOffset: Number(p.lastStableOffset),
    logStartOffset: Number(p.logStartOffset),
  };
}

function errorPositions(error: unknown): Positions | string {
  if (error instanceof OffsetOutOfRangeError) return error.positions;
  return `no positions: ${error instanceof RaftlogError ? `${error.code} ${error.message}` : String(error)}`;
}

async function drain(stream: AsyncIterable<unknown>): Promise<Positions | string | undefined> {
  try {
    for await (const _ of stream) return 'a push instead of an error';
  } catch (error) {
    return errorPositions(error);
  }
  return undefined;
}
