import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c, encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { Acks, OffsetSpec } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { PartitionWriter, verifyPartition, startCluster, type TestCluster } from './harness/index.js';

const topic = 'hostile';
const partitions = 3;
const answerMsMax = 1_000;
const utf8 = new TextEncoder();

// Offsets in the batch header (big-endian): see lib/record-batch/format.ts.
const at = { attributes: 17, lastOffsetDelta: 19, baseTimestamp: 23, maxTimestamp: 31, recordCount: 53 };
const crcAt = 13;
const crcCoveredStart = 17;

function goodBatch(values: readonly string[] = ['a']): Uint8Array {
  return encodeRecordBatch({
    timestamp: Date.now(),
    records: values.map((v) => ({ value: utf8.encode(v) })),
  });
}

/** A batch edited after encoding, with its CRC recomputed so only the edit is wrong. */
function edited(edit: (view: DataView) => void): Uint8Array {
  const bytes = goodBatch(['x', 'y']);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  edit(view);
  view.setUint32(crcAt, crc32c(bytes.subarray(crcCoveredStart)));
  return bytes;
}

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed;
  for (let i = 0; i < length; i++) {
    s = (s * 1_103_515_245 + 12_345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Every bad produce a client could send; each must be refused with a clear error. */
function badBatches(): [string, Uint8Array][] {
  const wrongCrc = goodBatch(['crc']);
  wrongCrc[wrongCrc.length - 1]! ^= 0xff;
  return [
    ['empty', new Uint8Array(0)],
    ['one byte', new Uint8Array([1])],
    ['random 64 bytes', randomBytes(64, 1)],
    ['random 4 KiB', randomBytes(4096, 2)],
    ['wrong CRC', wrongCrc],
    ['truncated', goodBatch(['truncated']).subarray(0, 40)],
    [
      '2 MiB record',
      encodeRecordBatch({ timestamp: Date.now(), records: [{ value: new Uint8Array(2 * 1024 * 1024) }] }),
    ],
    [
      'timestamps 2^60',
      edited((v) => {
        v.setBigInt64(at.baseTimestamp, 1n << 60n);
        v.setBigInt64(at.maxTimestamp, 1n << 60n);
      }),
    ],
    ['negative timestamps', edited((v) => v.setBigInt64(at.baseTimestamp, -(1n << 60n)))],
    ['record count says 1000', edited((v) => v.setInt32(at.recordCount, 1000))],
    ['negative record count', edited((v) => v.setInt32(at.recordCount, -1))],
    ['last offset delta -5', edited((v) => v.setInt32(at.lastOffsetDelta, -5))],
    ['transactional, no transactions', edited((v) => v.setInt16(at.attributes, 0x10))],
    ['control bit from a client', edited((v) => v.setInt16(at.attributes, 0x20))],
    ['unknown compression', edited((v) => v.setInt16(at.attributes, 0x07))],
  ];
}

interface Refusal {
  readonly ms: number;
  readonly error: RaftlogError;
}

async function refusal(call: () => Promise<unknown>): Promise<Refusal> {
  const started = Date.now();
  try {
    await call();
  } catch (error) {
    return { ms: Date.now() - started, error: RaftlogError.from(error) };
  }
  throw new Error('the request was accepted');
}

/** A clear error: our own code, a message, and not a symptom of a wedged or crashed node. */
function expectClear(what: string, r: Refusal): void {
  expect(r.ms, `${what}: answered after ${r.ms} ms (${r.error.code}: ${r.error.message})`).toBeLessThan(
    answerMsMax,
  );
  expect(
    ['TIMEOUT', 'UNAVAILABLE', 'INTERNAL', 'UNKNOWN', 'CANCELLED'],
    `${what}: ${r.error.message}`,
  ).not.toContain(r.error.code);
  expect(r.error.message.length, what).toBeGreaterThan(0);
}

describe('a hostile client against 3 nodes', () => {
  let cluster: TestCluster;
  let writers: PartitionWriter[];

  beforeAll(async () => {
    cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, partitions, 3);
    writers = Array.from({ length: partitions }, (_, p) => new PartitionWriter(cluster, topic, p));
    for (const w of writers) await w.write(50);
  }, 120_000);

  // The cluster belongs to the whole file, not to one test: stop it here, or its processes outlive the run.
  afterAll(async () => {
    await cluster.stopAll();
    await rm(cluster.dir, { recursive: true, force: true });
  });

  it('refuses every malformed batch at once, on every partition, and keeps it writable', async () => {
    for (let p = 0; p < partitions; p++) {
      const leader = await cluster.waitForLeader(topic, p);
      const broker = cluster.broker(leader.address);
      for (const [what, batch] of badBatches()) {
        const r = await refusal(() =>
          broker.produce({ topic, partition: p, batch, acks: Acks.QUORUM }, { timeoutMs: 10_000 }),
        );
        expectClear(`${what} to partition ${p}`, r);
        await writers[p]!.writeBatch(1);
      }
    }
  });

  it('refuses unknown topics, partitions and bad topic names', async () => {
    const leader = await cluster.waitForLeader(topic, 0);
    const broker = cluster.broker(leader.address);
    const cases: [string, string, number][] = [
      ['unknown topic', 'no-such-topic', 0],
      ['unknown partition', topic, 99],
      ['partition 2^32-1', topic, 0xffff_ffff],
      ['empty topic name', '', 0],
      ['path in topic name', '../etc', 0],
      ['long topic name', 'x'.repeat(10_000), 0],
      ['control characters', 'a\u0000b', 0],
    ];
    for (const [what, name, partition] of cases) {
      const r = await refusal(() =>
        broker.produce(
          { topic: name, partition, batch: goodBatch(), acks: Acks.QUORUM },
          { timeoutMs: 10_000 },
        ),
      );
      expectClear(what, r);
    }
  });

  it('answers bad fetches and offset lookups at once', async () => {
    const leader = await cluster.waitForLeader(topic, 0);
    const broker = cluster.broker(leader.address);
    const answered = async (call: () => Promise<unknown>): Promise<number> => {
      const started = Date.now();
      await call().catch((e: unknown) =>
        expectClear('fetch', { ms: Date.now() - started, error: RaftlogError.from(e) }),
      );
      return Date.now() - started;
    };
    for (const offset of [-1n, -(1n << 62n), 1n << 62n]) {
      const fetch = () =>
        broker.fetch(
          { partitions: [{ topic, partition: 0, offset, partitionMaxBytes: 1 << 20 }], maxBytes: 1 << 20 },
          { timeoutMs: 10_000 },
        );
      expect(await answered(fetch), `fetch at ${offset}`).toBeLessThan(answerMsMax);
    }
    const many = Array.from({ length: 10_000 }, (_, i) => ({
      topic,
      partition: i,
      offset: 0n,
      partitionMaxBytes: 1 << 20,
    }));
    expect(
      await answered(() => broker.fetch({ partitions: many, maxBytes: 1 << 20 }, { timeoutMs: 10_000 })),
    ).toBeLessThan(answerMsMax);
    const sameThousand = Array.from({ length: 1_000 }, () => ({
      topic,
      partition: 0,
      spec: OffsetSpec.TIMESTAMP,
      timestampMs: 0n,
    }));
    expect(
      await answered(() => broker.listOffsets({ partitions: sameThousand }, { timeoutMs: 10_000 })),
    ).toBeLessThan(answerMsMax);
    const manyOffsets = Array.from({ length: 10_000 }, (_, i) => ({
      topic,
      partition: i,
      spec: OffsetSpec.TIMESTAMP,
      timestampMs: 0n,
    }));
    expect(
      await answered(() => broker.listOffsets({ partitions: manyOffsets }, { timeoutMs: 10_000 })),
    ).toBeLessThan(answerMsMax);
  });

  it('survives garbage on the wire and streams abandoned mid-flight', async () => {
    for (const node of cluster.nodes) {
      const [host, port] = node.address.split(':');
      await new Promise<void>((resolve) => {
        const socket = connect(Number(port), host, () => socket.end(randomBytes(64 * 1024, node.id)));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.resume();
      });
    }
    const leader = await cluster.waitForLeader(topic, 1);
    const broker = cluster.broker(leader.address);
    // Records these streams may have stored: allowed once each, never required.
    const doubtful = (id: string): Uint8Array => {
      writers[1]!.ledger.maybe.add(id);
      return goodBatch([id]);
    };
    for (let i = 0; i < 20; i++) {
      const stream = broker.produceStream();
      const batches = badBatches();
      const [, bad] = batches[i % batches.length]!;
      await stream.send({
        correlationId: 1n,
        produce: { topic, partition: 1, batch: bad, acks: Acks.QUORUM },
      });
      await stream.send({
        correlationId: 2n,
        produce: { topic, partition: 1, batch: doubtful(`stream/${i}`), acks: Acks.QUORUM },
      });
      stream.cancel();
    }
    const stream = broker.produceStream();
    await stream.send({
      correlationId: 7n,
      produce: { topic, partition: 1, batch: randomBytes(100, 9), acks: Acks.QUORUM },
    });
    await stream.send({
      correlationId: 8n,
      produce: { topic, partition: 1, batch: doubtful('stream/last'), acks: Acks.QUORUM },
    });
    const answers = new Map<bigint, boolean>();
    for await (const answer of stream.responses) {
      answers.set(answer.correlationId, answer.result?.error === undefined);
      if (answers.size === 2) break;
    }
    expect(answers).toEqual(
      new Map([
        [7n, false],
        [8n, true],
      ]),
    );
    for (const w of writers) await w.writeBatch(1);
  });

  it('after all of it: every node is up, every partition writable, every acknowledged record readable', async () => {
    for (const node of cluster.nodes) expect(node.running, `node ${node.id} is down`).toBe(true);
    for (const w of writers) await w.write(20);
    for (let p = 0; p < partitions; p++) {
      const read = await cluster.readPartition(topic, p, { timeoutMs: 20_000 });
      verifyPartition(writers[p]!.ledger, read);
    }
  });
});
