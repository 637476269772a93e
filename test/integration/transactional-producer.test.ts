import { describe, expect, it } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { readTopicValues, startCluster, type TestCluster } from './harness/index.js';

/** Every value in `topic` visible at `isolation`, sorted, read until nothing arrives for idleMs. */
async function readAll(
  bootstrap: string,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
  idleMs = 2_000,
): Promise<string[]> {
  return (await readTopicValues(bootstrap, topic, isolation, idleMs)).sort();
}

async function cluster3(topic: string): Promise<{ cluster: TestCluster; bootstrap: string }> {
  const cluster = await startCluster({ nodes: 3 });
  await cluster.createTopic(topic, 2, 3);
  for (let p = 0; p < 2; p++) await cluster.waitForLeader(topic, p);
  return { cluster, bootstrap: cluster.nodes.map((n) => n.address).join(',') };
}

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('transactional producer through the TypeScript client, 3 nodes', () => {
  it('read_committed sees committed transactions only; read_uncommitted sees every record', async () => {
    const { bootstrap } = await cluster3('txn');
    const client = new RaftlogClient({ bootstrap });
    const producer = new Producer(client, { transactionalId: 'writer-1', lingerMs: 2 });
    await producer.initTransactions();
    const send = (txn: { send: Producer['send'] }, vs: string[]) =>
      Promise.all(vs.map((value, i) => txn.send({ topic: 'txn', partition: i % 2, value })));
    await producer.transaction((txn) => send(txn, values('a', 100)));
    producer.beginTransaction();
    await send(producer, values('b', 50));
    await producer.abortTransaction();
    await expect(
      producer.transaction(async (txn) => {
        await send(txn, values('c', 20));
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await producer.transaction((txn) => send(txn, values('d', 30)));
    await producer.close();
    client.close();

    expect(await readAll(bootstrap, 'txn', 'read_committed')).toEqual(
      [...values('a', 100), ...values('d', 30)].sort(),
    );
    const all = await readAll(bootstrap, 'txn', 'read_uncommitted');
    expect(all).toEqual(
      [...values('a', 100), ...values('b', 50), ...values('c', 20), ...values('d', 30)].sort(),
    );
  }, 120_000);

  it('a second producer with the same transactional id fences the first and aborts its open transaction', async () => {
    const { bootstrap } = await cluster3('fence');
    const client = new RaftlogClient({ bootstrap });
    const older = new Producer(client, { transactionalId: 'fence-1', lingerMs: 2 });
    await older.initTransactions();
    older.beginTransaction();
    await Promise.all(
      values('old', 10).map((value, i) => older.send({ topic: 'fence', partition: i % 2, value })),
    );

    const newer = new Producer(client, { transactionalId: 'fence-1', lingerMs: 2 });
    await newer.initTransactions();
    await expect(older.commitTransaction()).rejects.toMatchObject({ code: 'PRODUCER_FENCED' });
    await expect(older.send({ topic: 'fence', value: 'late' })).rejects.toMatchObject({
      code: 'PRODUCER_FENCED',
    });
    await newer.transaction(async (txn) => {
      await Promise.all(
        values('new', 5).map((value, i) => txn.send({ topic: 'fence', partition: i % 2, value })),
      );
    });
    await older.close().catch(() => undefined);
    await newer.close();
    client.close();
    expect(await readAll(bootstrap, 'fence', 'read_committed')).toEqual(values('new', 5).sort());
  }, 120_000);
});
