import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, Prng, RaftlogError, splitRecordBatches } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { CleanupPolicy } from '../../proto/gen/raftlog/v1/topic_pb.js';
import { sleep, startCluster, waitForLeader, type TestCluster } from './harness/index.js';

const topic = 'compacted';
const long = process.env.RAFTLOG_LONG_TESTS === '1';
const records = long ? 300_000 : 100_000;
const keys = 1_000;
const batchRecords = 500;
const deleteRetentionMs = 3_000;
/**
 * Snapshots every few dozen entries: the Raft log (which holds the original batches too) is
 * truncated, and the follower that was down comes back through a snapshot and a gap fill.
 */
const snapshotOften = {
  RAFTLOG_SNAPSHOT_ENTRIES_MIN: '40',
  RAFTLOG_COMPACTION_TRAIL_ENTRIES: '5',
  // Entry files are removed a segment at a time, never the one being written: small segments, so the
  // space of the compacted part goes.
  RAFTLOG_ENTRY_SEGMENT_BYTES: String(256 * 1024),
};
const text = new TextEncoder();
const utf8 = new TextDecoder();

/** One record as a fetch returns it; `value` null for a tombstone. */
interface Seen {
  readonly offset: number;
  readonly key: string;
  readonly value: string | null;
}

describe('key compaction, 3 nodes', () => {
  it(
    `keeps the newest value of each of ${keys} keys out of ${records} records on every replica, a returning follower included`,
    async () => {
      const cluster = await startCluster({ nodes: 3, env: snapshotOften });
      await cluster.createTopic(topic, 1, 3);
      const leader = await cluster.waitForLeader(topic, 0);
      const follower = cluster.nodes.find((n) => n.id !== leader.leaderId)!;
      const newest = new Map<string, string | null>();
      const prng = new Prng(13);

      await produce(cluster, prng, newest, records / 2);
      await follower.stop();
      await produce(cluster, prng, newest, records / 2);
      const live = cluster.nodes.filter((n) => n.id !== follower.id);
      const before = await Promise.all(live.map((n) => dirBytes(n.dataDir)));

      // Switched on after the writes, so the sizes above are those of the whole uncompacted log.
      await cluster.admin(leader.address).updateTopicConfig({
        name: topic,
        config: { cleanupPolicy: CleanupPolicy.COMPACT, deleteRetentionMs: BigInt(deleteRetentionMs) },
      });
      const expected = expectedRecords(newest);
      for (const n of live) await waitForRecords(cluster, n.address, expected, 60_000);
      // Once every tombstone is gone, the space goes with it: at least half of each directory (the
      // entry-file segments it emptied go at the node's next collection, every 5 s).
      const halved = async () => {
        const now = await Promise.all(live.map((n) => dirBytes(n.dataDir)));
        return { now, ok: now.every((bytes, i) => bytes < before[i]! / 2) };
      };
      let after = await halved();
      for (const deadline = Date.now() + 20_000; !after.ok && Date.now() < deadline; after = await halved())
        await sleep(500);
      console.log(`data dirs: ${before.join(', ')} bytes before, ${after.now.join(', ')} after`);
      live.forEach((_, i) => expect(after.now[i]!).toBeLessThan(before[i]! / 2));

      await follower.start();
      await cluster.waitInSync(topic, follower.id, 60_000);
      await waitForRecords(cluster, follower.address, expected, 60_000);
      const followerLog = await readFile(join(cluster.dir, `node-${follower.id}.log`), 'utf8');
      expect(followerLog).toContain('record data filled');
      // It had half the log of its own: it took the compacted log whole instead of mixing the two.
      expect(followerLog).toContain('source is compacted, copying it whole');

      // Keyless records have no place in a compacted topic.
      const keyless = encodeRecordBatch({ timestamp: Date.now(), records: [{ value: text.encode('x') }] });
      const current = await waitForLeader(cluster, topic, 0);
      await expect(
        cluster.broker(current.address).produce({ topic, partition: 0, batch: keyless }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });

      const rates = (await readFile(join(cluster.dir, `node-${leader.leaderId}.log`), 'utf8'))
        .split('\n')
        .filter((line) => line.includes('key compaction pass'))
        .map((line) => JSON.parse(line) as { mbPerS: number; bytesRead: number; elapsedMs: number });
      console.log(
        `compaction passes on the leader: ${JSON.stringify(rates.map((r) => [r.bytesRead, r.elapsedMs, r.mbPerS]))}`,
      );
    },
    long ? 300_000 : 150_000,
  );
});

/** Writes `count` keyed records (about one in twenty a tombstone) in batches, through the leader. */
async function produce(
  cluster: TestCluster,
  prng: Prng,
  newest: Map<string, string | null>,
  count: number,
): Promise<void> {
  for (let sent = 0; sent < count; sent += batchRecords) {
    const recs = Array.from({ length: batchRecords }, (_, i) => {
      const key = `key-${prng.intBetween(0, keys - 1)}`;
      // Random filler, so the engine's block compression cannot hide what compaction frees.
      const filler = Array.from({ length: 10 }, () => prng.nextUint32().toString(16).padStart(8, '0')).join(
        '',
      );
      const value = prng.chance(0.05) ? null : `${key}=${sent + i}:${filler}`;
      return { key, value };
    });
    const batch = encodeRecordBatch({
      timestamp: Date.now(),
      records: recs.map((r) => ({
        key: text.encode(r.key),
        value: r.value === null ? null : text.encode(r.value),
      })),
    });
    await produceOnce(cluster, batch);
    for (const r of recs) newest.set(r.key, r.value);
  }
}

/** Sends one batch to the current leader, retrying retriable failures (a retry lands right after the first). */
async function produceOnce(cluster: TestCluster, batch: Uint8Array): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const { address } = await waitForLeader(cluster, topic, 0);
      await cluster.broker(address).produce({ topic, partition: 0, batch }, { timeoutMs: 15_000 });
      return;
    } catch (error) {
      const e = RaftlogError.from(error);
      if (!e.retriable || attempt > 50) throw e;
      await sleep(100);
    }
  }
}

function expectedRecords(newest: ReadonlyMap<string, string | null>): string[] {
  return [...newest]
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key}->${value}`)
    .sort();
}

/** Polls one node's own copy (a replica read) until it holds exactly `expected`, one record per key. */
async function waitForRecords(
  cluster: TestCluster,
  address: string,
  expected: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: Seen[] = [];
  while (Date.now() < deadline) {
    last = await replicaRead(cluster, address).catch(() => last);
    const got = last.map((r) => `${r.key}->${r.value}`).sort();
    if (got.length === expected.length && got.every((g, i) => g === expected[i])) return;
    await sleep(500);
  }
  const tombstones = last.filter((r) => r.value === null).length;
  throw new Error(
    `${address} holds ${last.length} records (${tombstones} tombstones), expected ${expected.length}`,
  );
}

/** Every record of the partition as `address` stores it, read through the replica-read header. */
async function replicaRead(cluster: TestCluster, address: string): Promise<Seen[]> {
  const out: Seen[] = [];
  for (let offset = 0n; ;) {
    const response = await cluster.broker(address).fetch(
      {
        partitions: [{ topic, partition: 0, offset, partitionMaxBytes: 1024 * 1024 }],
        maxBytes: 4 * 1024 * 1024,
      },
      { timeoutMs: 10_000, metadata: { 'raftlog-replica-read': '1' } },
    );
    const part = response.partitions[0];
    if (part === undefined || (part.error !== undefined && part.error.code !== ErrorCode.UNSPECIFIED))
      throw new Error(`replica read at ${address}: ${part?.error?.message ?? 'no partition'}`);
    for (const batch of splitRecordBatches(part.records)) {
      for (const r of batch.records()) {
        if (BigInt(r.offset) < offset) continue;
        out.push({
          offset: r.offset,
          key: utf8.decode(r.key ?? new Uint8Array()),
          value: r.value === null ? null : utf8.decode(r.value),
        });
      }
    }
    if (part.nextOffset >= part.highWatermark) return out;
    if (part.nextOffset <= offset)
      throw new Error(`replica read at ${address} made no progress at ${offset}`);
    offset = part.nextOffset;
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? await dirBytes(path) : (await stat(path)).size;
  }
  return total;
}
