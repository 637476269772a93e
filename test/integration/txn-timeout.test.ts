import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../lib/index.js';
import { TransactionState } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster } from './harness/index.js';
import { RawTxnProducer, readCommitted } from './harness/txn.js';

const topic = 'stuck';
const timeoutMs = 2_000;

describe('a producer that dies mid-transaction, 3 nodes', () => {
  it('is aborted after its timeout: the last stable offset moves on and read_committed sees what came after', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const dead = new RawTxnProducer(cluster, 'tx-dead', timeoutMs);
    await dead.init();
    const openedAt = Date.now();
    await dead.addPartitions(topic, [0]);
    await dead.produce(topic, 0, ['lost-1', 'lost-2']);
    const lastWriteAt = Date.now();
    // The producer stops calling here. A plain record and another transaction come after it.
    await cluster.broker(leader.address).produce({
      topic,
      partition: 0,
      acks: Acks.QUORUM,
      batch: encodeRecordBatch({
        timestamp: Date.now(),
        records: [{ key: null, value: new TextEncoder().encode('plain-after') }],
      }),
    });
    const live = new RawTxnProducer(cluster, 'tx-live', 60_000);
    await live.init();
    await live.addPartitions(topic, [0]);
    await live.produce(topic, 0, ['committed-after']);
    await live.end(true);

    const blocked = await readCommitted(cluster, topic, 0);
    expect(blocked.values).toEqual([]);
    expect(blocked.lastStableOffset).toBe(0);
    expect(blocked.highWatermark).toBeGreaterThan(3);

    let read = blocked;
    while (read.lastStableOffset < read.highWatermark) {
      expect(Date.now() - lastWriteAt).toBeLessThan(timeoutMs + 10_000);
      await sleep(50);
      read = await readCommitted(cluster, topic, 0);
    }
    const unblockedMs = Date.now() - openedAt;
    expect(unblockedMs).toBeGreaterThanOrEqual(timeoutMs);
    console.log(
      `read_committed unblocked ${unblockedMs} ms after the transaction opened (timeout ${timeoutMs} ms)`,
    );
    expect(read.values).toEqual(['plain-after', 'committed-after']);
    expect(read.abortMarkers).toBe(1);

    // The markers move the last stable offset before the coordinator records the abort as complete
    // (and the node asked may apply that a moment after the controller's leader): wait for it, bounded.
    const describe = async () =>
      (await cluster.admin(leader.address).describeTransactions({ transactionalIds: ['tx-dead'] }))
        .transactions[0];
    let described = await describe();
    const completeBy = Date.now() + 5_000;
    while (described?.state !== TransactionState.COMPLETE_ABORT && Date.now() < completeBy) {
      await sleep(50);
      described = await describe();
    }
    expect(described).toMatchObject({
      state: TransactionState.COMPLETE_ABORT,
      producerEpoch: dead.epoch + 1,
    });
    // The timeout bumped the epoch: the producer, were it to wake up, is fenced.
    await expect(dead.produce(topic, 0, ['late'])).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    await expect(dead.end(true)).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
  }, 90_000);
});
