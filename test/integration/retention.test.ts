import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, RaftlogError } from '../../lib/index.js';
import { OffsetSpec } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { PartitionWriter, sleep, startCluster, type TestCluster } from './harness/index.js';

const topic = 'retained';

describe('retention by size, 3 nodes', () => {
  it('moves the log start on every replica and deletes what it dropped, even on a replica that was down', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const anyNode = cluster.nodes[0]!.address;
    await createTopic(cluster, anyNode, topic, { retentionBytes: 16n * 1024n }, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const follower = cluster.nodes.find((n) => n.id !== leader.leaderId)!;
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(2_000);
    await follower.stop();
    await writer.write(2_000);
    await follower.start();

    const start = await waitLogStart(cluster, (offset) => offset > 0);
    expect(start).toBeLessThan(4_000);
    await cluster.waitInSync(topic, follower.id);
    // The restarted replica serves from the same log start once it leads, and the rest of the log is whole.
    await cluster.transferLeadership(topic, 0, follower.id);
    const { moved, read } = await readFromLogStart(cluster, start, follower.id);
    // Whole from the log start to the end: nothing missing between what retention kept and the head.
    expect(read.map((r) => Number(r.offset))).toEqual(
      Array.from({ length: 4_000 - moved }, (_, i) => moved + i),
    );
  }, 120_000);
});

describe('entry files under retention, 1 node', () => {
  it('removes the segments retention and log compaction emptied, and serves from the log start', async () => {
    const cluster = await startCluster({
      nodes: 1,
      // 64 KiB segments, and log compaction every 20 entries, so data goes in seconds.
      env: {
        RAFTLOG_ENTRY_SEGMENT_BYTES: String(64 * 1024),
        RAFTLOG_SNAPSHOT_ENTRIES_MIN: '20',
        RAFTLOG_COMPACTION_TRAIL_ENTRIES: '0',
      },
    });
    const node = cluster.nodes[0]!;
    const entries = join(node.dataDir, 'entries');
    await createTopic(cluster, node.address, topic, { retentionBytes: 64n * 1024n });
    await cluster.waitForLeader(topic, 0);
    // Batches of 600 records of about 12 bytes: entries of some 10 KiB, placed in the entry files.
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 600 });
    await writer.write(60_000);
    const written = (await readdir(entries)).length;
    expect(written).toBeGreaterThan(10);
    const start = await waitLogStart(cluster, (offset) => offset > 50_000);
    const deadline = Date.now() + 30_000;
    while ((await readdir(entries)).length > 3 && Date.now() < deadline) await sleep(250);
    expect((await readdir(entries)).length).toBeLessThanOrEqual(3);
    // What retention kept is whole: every offset from the log start to the end.
    const { moved, read } = await readFromLogStart(cluster, start);
    expect(read.map((r) => Number(r.offset))).toEqual(
      Array.from({ length: 60_000 - moved }, (_, i) => moved + i),
    );
  }, 120_000);
});

describe('retention by time, 1 node', () => {
  it('goes by the append time: a backfill stamped 2001 outlives a 1-hour retention', async () => {
    const cluster = await startCluster({ nodes: 1 });
    const address = cluster.nodes[0]!.address;
    const hourMs = 3_600_000n;
    await createTopic(cluster, address, 'backfill', { retentionMs: hourMs });
    // Retention on this one drops every batch at the next pass: it shows when a pass has run.
    await createTopic(cluster, address, 'fleeting', { retentionMs: 1_000n });
    const y2001 = Date.UTC(2001, 8, 9);
    for (const name of ['backfill', 'fleeting']) {
      const leader = await cluster.waitForLeader(name, 0);
      for (let i = 0; i < 5; i++) {
        const batch = encodeRecordBatch({
          records: [{ value: new Uint8Array(16) }, { value: new Uint8Array(16) }],
          timestamp: y2001 + i,
        });
        await cluster.broker(leader.address).produce({ topic: name, partition: 0, batch });
      }
    }
    expect(await waitLogStart(cluster, (offset) => offset === 10, 'fleeting')).toBe(10);
    expect(await waitLogStart(cluster, () => true, 'backfill')).toBe(0);
  }, 120_000);
});

/** Right after start the node may not be registered yet: NOT_ENOUGH_REPLICAS is retriable. */
async function createTopic(
  cluster: TestCluster,
  address: string,
  name: string,
  config: { retentionMs?: bigint; retentionBytes?: bigint },
  replicationFactor = 1,
) {
  for (let attempt = 0; ; attempt++) {
    try {
      await cluster.admin(address).createTopic({ name, partitions: 1, replicationFactor, config });
      return;
    } catch (error) {
      if (attempt > 50) throw error;
      await sleep(200);
    }
  }
}

/**
 * Retention passes run every few seconds and may still be moving the log start after the writes
 * ended, so a read from the log start seen a moment ago can be out of range; a reader then starts
 * again from the new log start, as a consumer does.
 */
async function readFromLogStart(cluster: TestCluster, atLeast: number, fromNode?: number) {
  for (let attempt = 0; ; attempt++) {
    const moved = await waitLogStart(cluster, (offset) => offset >= atLeast);
    try {
      const read = await cluster.readPartition(topic, 0, {
        ...(fromNode === undefined ? {} : { fromNode }),
        timeoutMs: 60_000,
        fromOffset: moved,
      });
      return { moved, read };
    } catch (error) {
      if (!(error instanceof RaftlogError && error.code === 'OFFSET_OUT_OF_RANGE') || attempt >= 5)
        throw error;
    }
  }
}

/** Asks whichever node leads the partition now (leadership may move on a loaded machine). */
async function waitLogStart(
  cluster: TestCluster,
  ok: (offset: number) => boolean,
  name = topic,
): Promise<number> {
  const deadline = Date.now() + 30_000;
  let last = -1;
  while (Date.now() < deadline) {
    const { address } = await cluster.waitForLeader(name, 0);
    const response = await cluster
      .broker(address)
      .listOffsets({ partitions: [{ topic: name, partition: 0, spec: OffsetSpec.EARLIEST }] })
      .catch(() => undefined);
    last = Number(response?.offsets[0]?.offset ?? -1);
    if (response?.offsets[0]?.error === undefined && ok(last)) return last;
    await sleep(250);
  }
  throw new Error(`log start never matched; last ${last}`);
}
