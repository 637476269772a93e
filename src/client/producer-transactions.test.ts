import { describe, expect, it } from 'vitest';
import { RaftlogError, RecordBatchView } from '../../lib/index.js';
import type { ProduceCall, ProduceResult, ProduceTransport } from './produce-transport.js';
import { Producer, type ProducerClient } from './producer.js';

/** A coordinator and leaders that log every call in order, failing produce calls on demand. */
function fakeCluster() {
  const events: string[] = [];
  const produceFailures: RaftlogError[] = [];
  let epoch = 0;
  const transport: ProduceTransport = {
    async produce(_address: string, call: ProduceCall): Promise<ProduceResult> {
      await new Promise((r) => setTimeout(r, 1));
      const view = new RecordBatchView(call.batch);
      const failure = produceFailures.shift();
      events.push(
        `produce ${call.topic}/${call.partition} txn=${view.isTransactional} id=${call.transactionalId} ` +
          `epoch=${view.producerEpoch} seq=${view.baseSequence}${failure ? ' failed' : ''}`,
      );
      if (failure !== undefined) throw failure;
      return { baseOffset: 0, lastOffset: view.recordCount - 1 };
    },
    close: () => undefined,
  };
  const broker = {
    findCoordinator: async () => ({ nodeId: 1, address: 'coordinator:1' }),
    initProducer: async (r: { transactionalId: string; transactionTimeoutMs: number }) => {
      events.push(`init ${r.transactionalId} timeout=${r.transactionTimeoutMs}`);
      return { producerId: 42n, producerEpoch: epoch++ };
    },
    addPartitionsToTxn: async (r: { partitions: { topic: string; partition: number }[] }) => {
      events.push(`add ${r.partitions.map((p) => `${p.topic}/${p.partition}`).join(',')}`);
      return { results: [] };
    },
    addOffsetsToTxn: async (r: { groupId: string }) => {
      events.push(`add-offsets ${r.groupId}`);
      return {};
    },
    txnOffsetCommit: async (r: { memberId: string; offsets: { partition: number; offset: bigint }[] }) => {
      events.push(
        `txn-offsets ${r.memberId} ${r.offsets.map((o) => `${o.partition}@${o.offset}`).join(',')}`,
      );
      return { results: [] };
    },
    endTxn: async (r: { commit: boolean; producerEpoch: number }) => {
      events.push(`end ${r.commit ? 'commit' : 'abort'} epoch=${r.producerEpoch}`);
      return {};
    },
  };
  const client: ProducerClient = {
    partitionCount: async () => 3,
    // Never cached: every record takes the awaited admission.
    cachedPartitionCount: () => undefined,
    leaderAddress: async () => 'leader:1',
    noteError: () => undefined,
    addresses: () => ['node:1'],
    broker: () => broker as unknown as ReturnType<ProducerClient['broker']>,
  };
  return { client, transport, events, produceFailures };
}

const options = { lingerMs: 0, retry: { backoffBaseMs: 1, backoffMaxMs: 2 }, deliveryTimeoutMs: 2_000 };

describe('transactional Producer', () => {
  it('registers each partition once before its first batch and commits after every batch is delivered', async () => {
    const c = fakeCluster();
    const producer = new Producer(c.client, {
      ...options,
      transport: c.transport,
      transactionalId: 'tx-a',
      transactionTimeoutMs: 5_000,
    });
    await producer.initTransactions();
    producer.beginTransaction();
    const sends = [0, 0, 1].map((partition, i) => producer.send({ topic: 't', partition, value: `v${i}` }));
    await producer.sendOffsetsToTransaction([{ topic: 'in', partition: 2, offset: 11 }], {
      groupId: 'g',
      generationId: 3,
      memberId: 'm-1',
    });
    await producer.commitTransaction();
    await Promise.all(sends);
    const adds = c.events.filter((e) => e.startsWith('add '));
    expect(adds.sort()).toEqual(['add t/0', 'add t/1']);
    for (const partition of [0, 1]) {
      const at = (prefix: string) => c.events.findIndex((e) => e.startsWith(prefix));
      expect(at(`add t/${partition}`)).toBeLessThan(at(`produce t/${partition}`));
    }
    expect(
      c.events.filter((e) => e.startsWith('produce')).every((e) => e.includes('txn=true id=tx-a epoch=0')),
    ).toBe(true);
    expect(c.events).toContain('add-offsets g');
    expect(c.events).toContain('txn-offsets m-1 2@11');
    expect(c.events.at(-1)).toBe('end commit epoch=0');
    expect(c.events[0]).toBe('init tx-a timeout=5000');

    // The next transaction registers its partitions again; sequences go on.
    await producer.transaction(async (txn) => {
      await txn.send({ topic: 't', partition: 0, value: 'w' });
    });
    expect(c.events.slice(-3)).toEqual([
      'add t/0',
      expect.stringContaining('produce t/0 txn=true id=tx-a epoch=0 seq=2') as unknown,
      'end commit epoch=0',
    ]);
    await producer.close();
  });

  it('refuses sends outside a transaction and skips EndTxn for an empty one', async () => {
    const c = fakeCluster();
    const producer = new Producer(c.client, { ...options, transport: c.transport, transactionalId: 'tx-b' });
    await expect(producer.send({ topic: 't', value: 'x' })).rejects.toThrow(/initTransactions/);
    await producer.initTransactions();
    await expect(producer.send({ topic: 't', value: 'x' })).rejects.toThrow(/beginTransaction/);
    producer.beginTransaction();
    await producer.commitTransaction();
    expect(c.events).toEqual(['init tx-b timeout=0']);
    await producer.close();
  });

  it('after a failed batch refuses to commit, aborts, and starts again under a new epoch', async () => {
    const c = fakeCluster();
    const producer = new Producer(c.client, { ...options, transport: c.transport, transactionalId: 'tx-c' });
    await producer.initTransactions();
    producer.beginTransaction();
    c.produceFailures.push(new RaftlogError('MESSAGE_TOO_LARGE', 'too big'));
    await expect(producer.send({ topic: 't', partition: 0, value: 'x' })).rejects.toMatchObject({
      code: 'MESSAGE_TOO_LARGE',
    });
    await expect(producer.commitTransaction()).rejects.toThrow(/MESSAGE_TOO_LARGE.*abort it/);
    await producer.abortTransaction();
    expect(c.events.slice(-2)).toEqual(['end abort epoch=0', 'init tx-c timeout=0']);
    await producer.transaction(async (txn) => {
      await txn.send({ topic: 't', partition: 0, value: 'y' });
    });
    expect(c.events).toContainEqual(expect.stringContaining('produce t/0 txn=true id=tx-c epoch=1 seq=0'));
    await producer.close();
  });

  it('transaction() aborts when the callback throws and rethrows its error', async () => {
    const c = fakeCluster();
    const producer = new Producer(c.client, { ...options, transport: c.transport, transactionalId: 'tx-d' });
    await expect(
      producer.transaction(async (txn) => {
        await txn.send({ topic: 't', partition: 1, value: 'x' });
        throw new Error('transform failed');
      }),
    ).rejects.toThrow('transform failed');
    expect(c.events.at(-1)).toBe('end abort epoch=0');
    await producer.close();
  });

  it('is fenced for good when a batch answers PRODUCER_FENCED', async () => {
    const c = fakeCluster();
    const producer = new Producer(c.client, { ...options, transport: c.transport, transactionalId: 'tx-e' });
    await producer.initTransactions();
    producer.beginTransaction();
    c.produceFailures.push(new RaftlogError('PRODUCER_FENCED', 'epoch 0 is older than 1'));
    await expect(producer.send({ topic: 't', partition: 0, value: 'x' })).rejects.toMatchObject({
      code: 'PRODUCER_FENCED',
    });
    await expect(producer.commitTransaction()).rejects.toThrow(/tx-e was fenced.*create a new producer/);
    await expect(producer.abortTransaction()).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    expect(c.events.some((e) => e.startsWith('end'))).toBe(false);
    await producer.close();
  });

  it('checks its settings', () => {
    const c = fakeCluster();
    expect(() => new Producer(c.client, { transactionalId: 'x', idempotence: false })).toThrow(
      /needs idempotence/,
    );
    expect(() => new Producer(c.client, { transactionalId: '' })).toThrow(/transactionalId/);
    expect(() => new Producer(c.client, { transactionalId: 'x', transactionTimeoutMs: -1 })).toThrow(
      /transactionTimeoutMs/,
    );
  });
});
