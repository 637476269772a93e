import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupId, splitRecordBatches } from '../../lib/index.js';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { decodeBatchRef } from '../../storage/batch-ref.js';
import { decodePartitionBatchKey, keyspace, raftEntryKey } from '../../storage/keys.js';
import { KvWriteBatch, RocksKvStore } from '../../storage/index.js';
import { PartitionWriter, sleep, startCluster } from './harness/index.js';
import { tailFile } from './harness/logs.js';

const topic = 'flipped';

/**
 * Snapshots every few entries, so the Raft log's first index passes the data: the entries that hold
 * the batches stay stored (the partition refers to them) but the log no longer reads them at start.
 */
const snapshotOften = { RAFTLOG_SNAPSHOT_ENTRIES_MIN: '2', RAFTLOG_COMPACTION_TRAIL_ENTRIES: '0' };

describe('a stored batch with a flipped byte', () => {
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
    await new PartitionWriter(cluster, topic, 0, { batchRecords: 20 }).write(200);
    await node.stop();

    // Flip one byte inside the records of the batch at offset 100, straight in RocksDB: in the Raft
    // entry the partition's batch reference names (the batch is stored once, there).
    const kv = await RocksKvStore.open(join(node.dataDir, 'db'));
    const it = kv.iterator({
      gte: Uint8Array.of(keyspace.partitionBatch),
      lt: Uint8Array.of(keyspace.partitionBatch + 1),
    });
    let flipped = false;
    for (let e = await it.next(); e !== undefined && !flipped; e = await it.next()) {
      if (decodePartitionBatchKey(e.key).baseOffset !== 100) continue;
      const ref = decodeBatchRef(e.value, e.key);
      const entryKey = raftEntryKey(groupId(ref.group), ref.index);
      const value = Uint8Array.from((await kv.get(entryKey))!);
      // The entry's value: version, type, term (10 bytes), then its data; the batch ends 3 bytes in.
      value[10 + ref.dataOffset + ref.sizeBytes - 3]! ^= 0x40;
      await kv.write(new KvWriteBatch().put(entryKey, value), { sync: true });
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
    const bad = (await fetchAt(110n)).partitions[0]!;
    expect(bad.error?.code).toBe(ErrorCode.CORRUPTION);
    expect(bad.error?.message).toMatch(/batch at 100 \(entry \d+ of group \d+\).*checksum mismatch/);
    expect(bad.records.byteLength).toBe(0);
    // What is intact is still served, by the same process.
    const good = (await fetchAt(120n)).partitions[0]!;
    expect(good.error).toBeUndefined();
    expect(splitRecordBatches(good.records).map((b) => b.baseOffset)).toEqual([120]);
    expect(node.running).toBe(true);
    expect(tailFile(node.logFile, 200)).toMatch(/stored data is corrupt/);
  }, 120_000);
});
