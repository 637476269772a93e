import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Admin, RaftlogClient, type ClusterStatus } from '../../src/client/index.js';
import { peersArg } from '../../src/local/index.js';
import { cliJson, sleep, startCluster, type TestCluster } from './harness/index.js';
import { checkNothingLost, SteadyProducer } from './steady-producer.js';

const topic = 'scaled';
const partitions = 4;
const waitMs = 90_000;

/** How long, at most, no running node named a controller leader. */
class ControllerWatch {
  longestGapMs = 0;
  private lastSeenAt = Date.now();
  private readonly stopping = new AbortController();
  private readonly running: Promise<void>;

  constructor(private readonly cluster: TestCluster) {
    this.running = this.watch();
  }

  async stop(): Promise<number> {
    this.stopping.abort();
    await this.running;
    return this.longestGapMs;
  }

  private async watch(): Promise<void> {
    while (!this.stopping.signal.aborted) {
      const leaders = await Promise.all(
        this.cluster.liveNodes().map((n) =>
          this.cluster
            .admin(n.address)
            .clusterStatus({ omitPartitions: true }, { timeoutMs: 1_000 })
            .then((s) => s.controller?.leaderId ?? 0)
            .catch(() => 0),
        ),
      );
      const now = Date.now();
      if (leaders.some((l) => l !== 0)) this.lastSeenAt = now;
      this.longestGapMs = Math.max(this.longestGapMs, now - this.lastSeenAt);
      await sleep(100, this.stopping.signal).catch(() => undefined);
    }
  }
}

async function waitFor(
  admin: Admin,
  what: string,
  done: (s: ClusterStatus) => boolean,
): Promise<{ status: ClusterStatus; ms: number }> {
  const start = Date.now();
  let last: ClusterStatus | undefined;
  while (Date.now() - start < waitMs) {
    last = await admin.clusterStatus().catch(() => last);
    if (last !== undefined && done(last)) return { status: last, ms: Date.now() - start };
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}; last status: ${JSON.stringify(last)}`);
}

const settled = (s: ClusterStatus): boolean =>
  s.partitions.length === partitions && s.partitions.every((p) => p.targetReplicas.length === 0);

describe('a cluster that grows from 3 to 5 nodes and shrinks back to 3', () => {
  it('joins two nodes to the controller, rebalances onto them, decommissions two, with no failed write', async () => {
    // Every node gets the first three as seeds, as pods of a StatefulSet scaled from 3 keep them.
    const cluster = await startCluster({
      nodes: 5,
      started: 3,
      peers: (layout) => Promise.resolve(() => peersArg(layout.slice(0, 3))),
      healthTimeoutMs: 60_000,
    });
    const client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    const admin = new Admin(client);
    await cluster.createTopic(topic, partitions, 3);
    await cluster.waitForLeader(topic, 0);
    const producer = new SteadyProducer(cluster, topic);
    const watch = new ControllerWatch(cluster);
    producer.start();
    try {
      await sleep(1_000);
      const joinStart = Date.now();
      await Promise.all([cluster.node(4).start(), cluster.node(5).start()]);
      const joined = await waitFor(
        admin,
        'nodes 4 and 5 to become controller voters',
        (s) => [4, 5].every((id) => s.controller.voters.includes(id)) && s.controller.learners.length === 0,
      );
      const joinMs = Date.now() - joinStart;
      expect([...joined.status.controller.voters].sort()).toEqual([1, 2, 3, 4, 5]);

      // Through the real CLI, as an operator would run it.
      const bootstrap = cluster.node(2).address;
      const plan = (await cliJson(bootstrap, 'rebalance', '--dry-run')) as { moves: { to: number[] }[] };
      expect(plan.moves.length).toBeGreaterThan(0);
      expect(plan.moves.every((m) => m.to.includes(4) || m.to.includes(5))).toBe(true);
      const rebalanceStart = Date.now();
      await cliJson(bootstrap, 'rebalance');
      const rebalanceMs = Date.now() - rebalanceStart;
      const balanced = await waitFor(admin, 'the rebalance to be recorded complete', settled);
      const counts = balanced.status.nodes.map((n) => n.replicas);
      expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);

      const decommissionMs: number[] = [];
      for (const id of [1, 5]) {
        const start = Date.now();
        if (id === 5) {
          expect(await cliJson(bootstrap, 'node', 'remove', String(id))).toMatchObject({
            nodeId: id,
            membership: 'removed',
          });
        } else await admin.removeNode(id);
        await waitFor(
          admin,
          `node ${id} to be removed`,
          (s) =>
            s.nodes.find((n) => n.id === id)?.membership === 'removed' &&
            !s.controller.voters.includes(id) &&
            settled(s),
        );
        decommissionMs.push(Date.now() - start);
        // The removed node noticed, while it still ran.
        await expect
          .poll(() => readFileSync(cluster.node(id).logFile, 'utf8'), { timeout: 10_000 })
          .toContain('this node was decommissioned');
        await cluster.node(id).stop();
      }
      const after = await waitFor(admin, 'three voters', (s) => s.controller.voters.length === 3);
      expect([...after.status.controller.voters].sort()).toEqual([2, 3, 4]);
      for (const p of after.status.partitions)
        expect(p.replicas.filter((r) => r === 1 || r === 5)).toEqual([]);
      await expect(admin.removeNode(2)).rejects.toMatchObject({ code: 'CLUSTER_TOO_SMALL' });
      const listed = (await cliJson(bootstrap, 'node', 'list')) as {
        nodes: { id: number; membership: string; controller: string }[];
      };
      expect(listed.nodes.map((n) => [n.id, n.membership, n.controller])).toEqual([
        [1, 'removed', '-'],
        [2, 'active', 'voter'],
        [3, 'active', 'voter'],
        [4, 'active', 'voter'],
        [5, 'removed', '-'],
      ]);
      console.log(
        JSON.stringify({
          joinMs,
          rebalanceMs,
          decommissionMs,
          controllerLeaderGapMsMax: watch.longestGapMs,
          sent: producer.sent.length,
        }),
      );
    } finally {
      await producer.stop();
      const gap = await watch.stop();
      expect(gap).toBeLessThan(3_000);
      client.close();
    }
    await checkNothingLost(cluster, topic, producer);
  }, 300_000);
});
