import { describe, expect, it } from 'vitest';
import {
  Admin,
  Producer,
  QueueConsumer,
  queueStats,
  RaftlogClient,
  redrive,
  type QueueMessage,
} from '../../src/client/index.js';
import { startCluster } from './harness/index.js';

const topic = 'tasks';
const dlq = 'tasks-dlq';
const text = (v: Uint8Array | null): string => new TextDecoder().decode(v ?? new Uint8Array());

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('QueueConsumer on real nodes', () => {
  it('runs handlers, dead-letters a poison message, redrives it, and acks in a transaction', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const bootstrap = cluster.nodes.map((n) => n.address).join(',');
    const client = new RaftlogClient({ bootstrap });
    const admin = new Admin(client);
    await cluster.createTopic(dlq, 1, 3);
    await admin.createTopic({
      name: topic,
      partitions: 3,
      replicas: 3,
      config: { queueMaxDeliveries: 2, queueDeadLetterTopic: dlq, queueVisibilityTimeoutMs: 5_000 },
    });
    for (let p = 0; p < 3; p++) await cluster.waitForLeader(topic, p);
    await cluster.waitForLeader(dlq, 0);
    const producer = new Producer(client);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        producer.send({ topic, value: `t${i}`, key: `k${i}`, headers: [{ key: 'app', value: null }] }),
      ),
    );

    const workers = new QueueConsumer(client, { topic, queue: 'workers', waitMs: 500 });
    const handled: string[] = [];
    const running = workers.run(
      async (m) => {
        handled.push(text(m.value));
        if (text(m.value) === 't3') throw new Error('poison');
      },
      { concurrency: 4 },
    );
    const total = async () => (await queueStats(client, topic, 'workers')).reduce((n, s) => n + s.depth, 0);
    await waitFor(async () => (await total()) === 0);
    await workers.close();
    await running;
    expect(handled.filter((v) => v === 't3')).toHaveLength(2);
    expect(new Set(handled).size).toBe(12);
    const stats = await queueStats(client, topic, 'workers');
    expect(stats.reduce((n, s) => n + s.deadLettered, 0)).toBe(1);

    // The dead letter carries its origin; redrive puts it back without the raftlog-dlq-* headers.
    expect(await redrive(client, { deadLetterTopic: dlq })).toEqual({ moved: 1, skipped: 0 });
    const again = new QueueConsumer(client, { topic, queue: 'workers', waitMs: 2_000 });
    const [back] = await receiveSome(again, 1);
    expect(text(back!.value)).toBe('t3');
    expect(text(back!.key)).toBe('k3');
    expect(back!.headers.map((h) => h.key)).toEqual(['app']);

    // A transactional ack counts only if the transaction commits.
    const txp = new Producer(client, { transactionalId: 'tasks-worker' });
    await txp.initTransactions();
    await expect(
      txp.transaction(async (txn) => {
        await txn.send({ topic: dlq, value: 'out' });
        await txp.sendAcksToTransaction('workers', [back!]);
        throw new Error('abort it');
      }),
    ).rejects.toThrow('abort it');
    const [redelivered] = await receiveSome(again, 1);
    expect(text(redelivered!.value)).toBe('t3');
    await txp.transaction(async () => txp.sendAcksToTransaction('workers', [redelivered!]));
    // Committed: it is never delivered again, nor is anything else.
    expect(await again.receive()).toEqual([]);
    expect((await queueStats(client, topic, 'workers')).reduce((n, s) => n + s.inFlight, 0)).toBe(0);
    await again.close();
    await txp.close();
    await producer.close();
    client.close();
  }, 180_000);
});

async function receiveSome(qc: QueueConsumer, n: number): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (let i = 0; out.length < n && i < 20; i++) out.push(...(await qc.receive()));
  return out;
}
