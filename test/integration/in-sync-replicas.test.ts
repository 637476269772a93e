import { status } from '@grpc/grpc-js';
import { afterAll, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { Admin, RaftlogClient } from '../../src/client/index.js';
import { sleep, startCluster, type TestCluster } from './harness/index.js';

const topic = 'isr';
const partitions = 3;

/** What `raftlog status` and `raftlog topic describe` say each partition's in-sync set is. */
async function inSyncViews(admin: Admin): Promise<{ status: number[][]; describe: number[][] }> {
  const status = await admin.clusterStatus();
  const described = await admin.describeTopic(topic);
  const sets = (ps: readonly { topic: string; partition: number; inSync: readonly number[] }[]) =>
    ps
      .filter((p) => p.topic === topic)
      .sort((a, b) => a.partition - b.partition)
      .map((p) => [...p.inSync].sort((x, y) => x - y));
  return { status: sets(status.partitions), describe: sets(described.partitionStatus) };
}

/** Polls both views until every partition's in-sync set is `expected` in both; returns how long it took. */
async function waitForInSync(admin: Admin, expected: number[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  const want = Array.from({ length: partitions }, () => expected);
  let seen: unknown;
  while (Date.now() - started < timeoutMs) {
    seen = await inSyncViews(admin).catch((e: Error) => e.message);
    if (JSON.stringify(seen) === JSON.stringify({ status: want, describe: want }))
      return Date.now() - started;
    await sleep(100);
  }
  throw new Error(
    `in-sync sets not ${JSON.stringify(expected)} within ${timeoutMs} ms: ${JSON.stringify(seen)}`,
  );
}

describe('the in-sync set as status and topic describe show it', () => {
  let client: RaftlogClient | undefined;
  afterAll(() => client?.close());

  it('drops a killed node within seconds in both views, refuses a default replication factor it cannot meet, and takes the node back after restart', async () => {
    const cluster: TestCluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, partitions, 3);
    for (let p = 0; p < partitions; p++) await cluster.waitForLeader(topic, p);
    client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    const admin = new Admin(client, { timeoutMs: 10_000 });
    await waitForInSync(admin, [1, 2, 3], 15_000);

    await cluster.node(3).kill('SIGKILL');
    const droppedMs = await waitForInSync(admin, [1, 2], 5_000);

    // Once the controller marks the node dead, a topic needing 3 live nodes is refused at once.
    const deadline = Date.now() + 15_000;
    while ((await admin.clusterStatus({ omitPartitions: true })).nodes.find((n) => n.id === 3)?.alive) {
      if (Date.now() > deadline) throw new Error('node 3 never marked dead');
      await sleep(100);
    }
    for (const replicas of [undefined, 3]) {
      const started = Date.now();
      const refused = await admin
        .createTopic({
          name: `rf-${replicas ?? 'default'}`,
          partitions: 1,
          ...(replicas ? { replicas } : {}),
        })
        .then(
          (t) =>
            new Error(`created with replicas ${JSON.stringify(t.partitionStatus.map((p) => p.replicas))}`),
          (e: unknown) => e,
        );
      expect(refused).toBeInstanceOf(RaftlogError);
      expect((refused as RaftlogError).code).toBe('NOT_ENOUGH_REPLICAS');
      expect((refused as RaftlogError).message).toMatch(/replication factor 3 needs .*2 are alive/);
      expect(Date.now() - started).toBeLessThan(1_000);
    }
    // On the wire: gRPC UNAVAILABLE carrying our code, as any gRPC client sees it.
    const raw = await cluster
      .admin(cluster.node(1).address)
      .createTopic({ name: 'rf-raw', partitions: 1 })
      .catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(RaftlogError);
    expect((raw as RaftlogError).code).toBe('NOT_ENOUGH_REPLICAS');
    expect(((raw as RaftlogError).cause as { code?: number }).code).toBe(status.UNAVAILABLE);

    await cluster.node(3).start();
    const backMs = await waitForInSync(admin, [1, 2, 3], 15_000);
    console.log(JSON.stringify({ test: 'in-sync-replicas', droppedMs, backMs }));
  }, 120_000);
});
