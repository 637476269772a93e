import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupId, logIndex, splitRecordBatches } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { decodeBatchRef } from '../../storage/batch-ref.js';
import { decodePartitionBatchKey, keyspace, raftEntryKey } from '../../storage/keys.js';
import { decodeStoredEntry } from '../../storage/raft-log-codec.js';
import { KvWriteBatch, RocksKvStore } from '../../storage/index.js';
import { PartitionWriter, sleep, startCluster } from './harness/index.js';
import { tailFile } from './harness/logs.js';

const topic = 'flipped';

/**
 * Snapshots every few entries, so the Raft log's first index passes the data: the entries that hold
 * the batches stay stored (the partition refers to them) but the log no longer reads them at start.
 */
const snapshotOften = { RAFTLOG_SNAPSHOT_ENTRIES_MIN: '2', RAFTLOG_COMPACTION_TRAIL_ENTRIES: '0' };

/**
 * Batches of 20 small records make entries that stay inline in RocksDB; batches of 400 make entries of
 * several KiB, whose data lives in the entry files.
 */
const cases = [
  { where: 'inline', batchRecords: 20, placed: false },
  { where: 'in an entry file', batchRecords: 400, placed: true },
];

describe.each(cases)('a stored batch with a flipped byte, $where', ({ batchRecords, placed }) => {
  const bad = 5 * batchRecords;
  const good = 6 * batchRecords;
  it('fails the fetch that reaches it with a clear error, is logged, and the node goes on serving', async () => {
    const cluster = await startCluster({ nodes: 1, env: snapshotOften });
    const node = cluster.nodes[0]!;
    for (let attempt = 0; ; attempt++) {
      try {
        await cluster.admin(node.address).createTopic({ name: topic, partitions: 1, replicationFactor: 1 });
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await sleep(200);
      }
    }
    await cluster.waitForLeader(topic, 0);
    await new PartitionWriter(cluster, topic, 0, { batchRecords }).write(10 * batchRecords);
    await node.stop();

    // Flip one byte inside the records of the fifth batch, in the Raft entry the partition's batch
    // reference names (the batch is stored once, there).
    const kv = await RocksKvStore.open(join(node.dataDir, 'db'));
    const it = kv.iterator({
      gte: Uint8Array.of(keyspace.partitionBatch),
      lt: Uint8Array.of(keyspace.partitionBatch + 1),
    });
    let flipped = false;
    for (let e = await it.next(); e !== undefined && !flipped; e = await it.next()) {
      if (decodePartitionBatchKey(e.key).baseOffset !== bad) continue;
      const ref = decodeBatchRef(e.value, e.key);
      const entryKey = raftEntryKey(groupId(ref.group), ref.index);
      const value = Uint8Array.from((await kv.get(entryKey))!);
      const stored = decodeStoredEntry(value, logIndex(ref.index), entryKey);
      // The byte 3 before the batch's end, in the entry's data: in its segment file when placed there,
      // else inline after the value's version, type and term (10 bytes).
      const at = ref.dataOffset + ref.sizeBytes - 3;
      expect(stored.placement !== undefined).toBe(placed);
      if (stored.placement === undefined) {
        expect(10 + at).toBeLessThan(value.length - 4);
        value[10 + at]! ^= 0x40;
        await kv.write(new KvWriteBatch().put(entryKey, value), { sync: true });
      } else {
        const path = join(
          node.dataDir,
          'entries',
          `${String(stored.placement.segment).padStart(16, '0')}.entries`,
        );
        const file = await readFile(path);
        file[stored.placement.offset + at]! ^= 0x40;
        await writeFile(path, file);
      }
      flipped = true;
    }
    await it.close();
    await kv.close();
    expect(flipped).toBe(true);

    await node.start();
    await cluster.waitForLeader(topic, 0);
    const broker = cluster.broker(node.address);
    const fetchAt = (offset: bigint) =>
      broker.fetch({ partitions: [{ topic, partition: 0, offset, partitionMaxBytes: 1 }] });
    const failed = (await fetchAt(BigInt(bad + 10))).partitions[0]!;
    expect(failed.error?.code).toBe(ErrorCode.CORRUPTION);
    expect(failed.error?.message).toMatch(
      new RegExp(`batch at ${bad} \\(entry \\d+ of group \\d+\\).*checksum mismatch`),
    );
    expect(failed.records.byteLength).toBe(0);
    // What is intact is still served, by the same process.
    const served = (await fetchAt(BigInt(good))).partitions[0]!;
    expect(served.error).toBeUndefined();
    expect(splitRecordBatches(served.records).map((b) => b.baseOffset)).toEqual([good]);
    expect(node.running).toBe(true);
    expect(tailFile(node.logFile, 200)).toMatch(/stored data is corrupt/);
  }, 120_000);
});
