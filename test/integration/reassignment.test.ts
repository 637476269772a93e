import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { PartitionWriter, sleep, startCluster, verifyPartition, type TestCluster } from './harness/index.js';

const topic = 'moving';

describe('replica reassignment and rolling restart, 4 nodes', () => {
  it('adds a replica, removes one, and keeps every acknowledged record', async () => {
    const cluster = await startCluster({ nodes: 4 });
    await cluster.createTopic(topic, 1, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 100 });
    await writer.write(2_000);

    const before = await replicasOf(cluster, leader.address);
    const newcomer = [1, 2, 3, 4].find((id) => !before.includes(id))!;
    const leaving = before.find((id) => id !== leader.leaderId)!;
    await retryWhilePending(() =>
      cluster.admin(leader.address).addReplica({ topic, partition: 0, nodeId: newcomer }),
    );
    await waitReplicas(cluster, (r) => r.length === 4 && r.includes(newcomer));
    await writer.write(1_000);

    // The controller records the move as complete a moment after the voters change; until then a new
    // move is refused as "already moving".
    await retryWhilePending(() =>
      cluster.admin(leader.address).removeReplica({ topic, partition: 0, nodeId: leaving }),
    );
    await waitReplicas(cluster, (r) => r.length === 3 && !r.includes(leaving));
    await writer.write(1_000);

    // The newcomer holds everything, including what was written before it joined.
    await cluster.transferLeadership(topic, 0, newcomer);
    const read = await cluster.readPartition(topic, 0, { fromNode: newcomer, timeoutMs: 60_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(4_000);

    // The removed node comes back (it kept only its term and vote) and catches up from a snapshot.
    await retryWhilePending(() =>
      cluster.admin(leader.address).addReplica({ topic, partition: 0, nodeId: leaving }),
    );
    await waitReplicas(cluster, (r) => r.length === 4 && r.includes(leaving));
    await writer.write(500);
    await cluster.waitInSync(topic, leaving);
    await cluster.transferLeadership(topic, 0, leaving);
    const again = await cluster.readPartition(topic, 0, { fromNode: leaving, timeoutMs: 60_000 });
    expect(verifyPartition(writer.ledger, again).acked).toBe(4_500);
  }, 150_000);

  it('keeps a partition writable through a rolling restart', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    await cluster.waitForLeader(topic, 0);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 50 });
    for (const node of cluster.nodes) {
      const writing = writer.write(1_000);
      await node.stop();
      await node.start();
      await writing;
      await cluster.waitInSync(topic, node.id);
    }
    const read = await cluster.readPartition(topic, 0, { timeoutMs: 60_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(3_000);
  }, 150_000);
});

async function retryWhilePending(call: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await call();
      return;
    } catch (error) {
      // A move in progress, or a node that has not registered (or been seen alive) yet, clears up.
      const pending =
        /already moving|not a registered live node/.test(String(error)) ||
        (error instanceof RaftlogError && error.retriable);
      if (!pending || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function replicasOf(cluster: TestCluster, address: string): Promise<number[]> {
  const response = await cluster.admin(address).describeTopic({ name: topic });
  return [...(response.topic?.partitionStatus[0]?.replicas ?? [])];
}

/** Waits until the controller's view (the assignment, updated once the move completes) satisfies `ok`. */
async function waitReplicas(cluster: TestCluster, ok: (replicas: number[]) => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: number[] = [];
  while (Date.now() < deadline) {
    for (const node of cluster.liveNodes()) {
      const status = await cluster
        .admin(node.address)
        .clusterStatus({})
        .catch(() => undefined);
      const p = status?.partitions.find((x) => x.topic === topic);
      if (p === undefined) continue;
      last = [...p.replicas];
      if (p.leaderId === node.id && ok(last)) return;
    }
    await sleep(200);
  }
  throw new Error(`replicas never matched; last seen ${JSON.stringify(last)}`);
}
