import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, groupId, logIndex, nodeId, partitionId, term } from '../lib/index.js';
import { CountingKvStore, MemoryKvStore, PartitionStore, RaftLogStore, StorageBatch } from './index.js';

describe('StorageBatch', () => {
  it('carries raft logs of many groups and partition data in one synced write', async () => {
    const mem = new MemoryKvStore();
    const kv = new CountingKvStore(mem);
    const raftLog = new RaftLogStore(kv);
    const partitions = new PartitionStore(kv);
    const groups = [groupId(1), groupId(2), groupId(3)];
    for (const g of groups) await raftLog.load(g);
    await partitions.load(partitionId(1));
    kv.reset();

    const batch = new StorageBatch();
    for (const g of groups) {
      raftLog.appendEntries(batch, g, [
        { index: logIndex(1), term: term(1), type: 'normal', data: Uint8Array.of(g) },
      ]);
      raftLog.setHardState(batch, g, { term: term(1), vote: nodeId(1), commit: logIndex(1) });
    }
    partitions.append(
      batch,
      partitionId(1),
      [encodeRecordBatch({ records: [{ value: Uint8Array.of(1) }], timestamp: 1 })],
      1,
    );
    await batch.commit(kv);
    expect(kv.counts).toMatchObject({ writes: 1, syncedWrites: 1 });
    await expect(batch.commit(kv)).rejects.toMatchObject({ code: 'INTERNAL' });

    // Everything in the batch was synced together, so a crash keeps all of it.
    mem.crash();
    const again = new RaftLogStore(mem);
    for (const g of groups) expect((await again.load(g)).lastIndex).toBe(1);
    expect((await new PartitionStore(mem).info(partitionId(1))).nextOffset).toBe(1);
  });

  it('an unsynced batch is lost by a crash, all of it', async () => {
    const mem = new MemoryKvStore();
    const raftLog = new RaftLogStore(mem);
    const partitions = new PartitionStore(mem);
    await raftLog.load(groupId(1));
    await partitions.load(partitionId(1));
    const batch = new StorageBatch();
    raftLog.appendEntries(batch, groupId(1), [
      { index: logIndex(1), term: term(1), type: 'normal', data: Uint8Array.of() },
    ]);
    partitions.append(
      batch,
      partitionId(1),
      [encodeRecordBatch({ records: [{ value: null }], timestamp: 1 })],
      1,
    );
    await batch.commit(mem, { sync: false });
    mem.crash();
    expect((await new RaftLogStore(mem).load(groupId(1))).lastIndex).toBe(0);
    expect((await new PartitionStore(mem).info(partitionId(1))).nextOffset).toBe(0);
  });
});
