import { describe, expect, it } from 'vitest';
import { TransactionState } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { startCluster } from './harness/index.js';
import { RawTxnProducer, readCommitted } from './harness/txn.js';

const topic = 'fenced';

describe('two producers with one transactional id, 3 nodes', () => {
  it('fences the older one: its open transaction is aborted and none of its later writes is visible', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 2, 3);
    await cluster.waitForLeader(topic, 0);
    await cluster.waitForLeader(topic, 1);
    const [n1, n2] = cluster.nodes;
    const older = new RawTxnProducer(cluster, 'tx-fence', 60_000, n1?.address);
    await older.init();
    await older.addPartitions(topic, [0, 1]);
    await older.produce(topic, 0, ['old-0']);
    await older.produce(topic, 1, ['old-1']);

    // A second instance starts with the same id (through another node) while the first is mid-transaction.
    const newer = new RawTxnProducer(cluster, 'tx-fence', 60_000, n2?.address);
    await newer.init();
    expect(newer.producerId).toBe(older.producerId);
    expect(newer.epoch).toBe(older.epoch + 1);

    await expect(older.produce(topic, 0, ['zombie'])).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    await expect(older.addPartitions(topic, [0])).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    await expect(older.end(true)).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });

    // A partition not added to the transaction refuses its batches.
    await newer.addPartitions(topic, [0]);
    await expect(newer.produce(topic, 1, ['not-added'])).rejects.toMatchObject({ code: 'INVALID_TXN_STATE' });
    await newer.produce(topic, 0, ['new-0']);
    await newer.end(true);
    // The zombie is still fenced after the newer instance's transaction.
    await expect(older.produce(topic, 1, ['zombie-2'])).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });

    const p0 = await readCommitted(cluster, topic, 0);
    const p1 = await readCommitted(cluster, topic, 1);
    expect(p0.values).toEqual(['new-0']);
    expect(p1.values).toEqual([]);
    // The aborted transaction no longer holds the last stable offset back.
    expect(p0.lastStableOffset).toBe(p0.highWatermark);
    expect(p1.lastStableOffset).toBe(p1.highWatermark);
    const raw = await cluster.readPartition(topic, 1);
    expect(raw.map((r) => r.value)).toContain('old-1');

    const described = await cluster
      .admin(n1?.address ?? '')
      .describeTransactions({ transactionalIds: ['tx-fence'] });
    expect(described.transactions[0]).toMatchObject({
      state: TransactionState.COMPLETE_COMMIT,
      producerEpoch: newer.epoch,
    });
  }, 90_000);
});
