import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { describeExit, spawnNode, type NodeSpec } from '../../src/local/index.js';
import {
  freePortRange,
  PartitionWriter,
  sleep,
  startCluster,
  tsxLauncher,
  verifyPartition,
  type TestCluster,
} from './harness/index.js';

const topic = 'identity';
const identityExitCode = 78;

/** What node `observer` sees as leaders of the controller and of the topic's partition. */
async function leadersSeenBy(
  cluster: TestCluster,
  observer: number,
): Promise<{ controller: number; partition: number }> {
  const address = cluster.node(observer).address;
  const status = await cluster.admin(address).clusterStatus({}, { timeoutMs: 2_000 });
  const partition = status.partitions.find((p) => p.topic === topic && p.partition === 0);
  return { controller: status.controller?.leaderId ?? 0, partition: partition?.leaderId ?? 0 };
}

/** Starts one node process that is expected to refuse to start; resolves with its exit and log. */
async function refusedStart(spec: NodeSpec): Promise<{ code: number | null; log: string }> {
  const spawned = spawnNode({ ...spec, launcher: tsxLauncher });
  const exit = await Promise.race([
    spawned.exited,
    sleep(30_000).then(() => {
      spawned.child.kill('SIGKILL');
      throw new Error(`node ${spec.id} did not exit; it should have refused to start`);
    }),
  ]);
  expect(exit.signal, describeExit(exit)).toBeNull();
  return { code: exit.code, log: readFileSync(spec.logFile, 'utf8') };
}

describe('node identity on disk, 3 nodes', () => {
  it('a node whose data directory was wiped votes nowhere before it caught up, and nothing is lost', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    const leader = await cluster.waitForLeader(topic, 0);
    const [stale, wiped] = cluster.nodes.filter((n) => n.id !== leader.leaderId) as [
      (typeof cluster.nodes)[number],
      (typeof cluster.nodes)[number],
    ];
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 50 });
    await writer.write(500);

    // These records are acknowledged by the leader and the node about to lose its disk only.
    await stale.kill();
    await writer.write(1_000);
    await wiped.kill();
    await rm(wiped.dataDir, { recursive: true, force: true });
    await cluster.node(leader.leaderId).kill();

    // The stale node and the wiped one could elect the stale node, which lacks acknowledged records.
    await stale.start();
    await wiped.start();
    const until = Date.now() + 6_000;
    while (Date.now() < until) {
      for (const observer of [stale.id, wiped.id]) {
        const seen = await leadersSeenBy(cluster, observer);
        expect(seen, `node ${observer} sees a leader elected with the wiped node's vote`).toEqual({
          controller: 0,
          partition: 0,
        });
      }
      await sleep(250);
    }
    expect(readFileSync(wiped.logFile, 'utf8')).toContain('not voting until caught up');

    await cluster.node(leader.leaderId).start();
    await cluster.waitForLeader(topic, 0, { timeoutMs: 30_000 });
    await cluster.waitInSync(topic, wiped.id, 60_000);
    await writer.write(500);
    await cluster.transferLeadership(topic, 0, wiped.id);
    const read = await cluster.readPartition(topic, 0, { fromNode: wiped.id, timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(2_000);
    expect(readFileSync(wiped.logFile, 'utf8')).toContain('caught up after rejoining');
  }, 180_000);

  it('refuses the data directory of another node or of another cluster', async () => {
    const cluster = await startCluster({ nodes: 3 });
    // A formed cluster: its controller has committed entries (a peer of a cluster that never formed
    // could be a wiped node that made up a new id, and is no reason to refuse).
    await cluster.createTopic(topic, 1, 3);
    const [one, two, three] = cluster.nodes as [
      (typeof cluster.nodes)[number],
      (typeof cluster.nodes)[number],
      (typeof cluster.nodes)[number],
    ];
    await two.kill();
    await three.kill();
    const peers = cluster.nodes.map((n) => `${n.id}=${n.peerAddress}`).join(',');

    // Node 2's directory started as node 3.
    const asOther = await refusedStart({
      id: 3,
      address: three.address,
      peerAddress: three.peerAddress,
      peers,
      dataDir: two.dataDir,
      logFile: join(cluster.dir, 'as-node-3.log'),
    });
    expect(asOther.code).toBe(identityExitCode);
    expect(asOther.log).toMatch(/belongs to node 2, but this node was started as node 3/);

    // Node 2 told it belongs to a cluster other than the one its directory records.
    const configured = await refusedStart({
      id: 2,
      address: two.address,
      peerAddress: two.peerAddress,
      peers,
      dataDir: two.dataDir,
      logFile: join(cluster.dir, 'configured-other.log'),
      env: { RAFTLOG_CLUSTER_ID: 'another-cluster' },
    });
    expect(configured.code).toBe(identityExitCode);
    expect(configured.log).toMatch(/belongs to cluster .*, but the configured cluster id is another-cluster/);

    // A node 2 of a cluster of its own, then started among this cluster's peers.
    const elsewhere = await mkdtemp(join(tmpdir(), 'raftlog-it-other-'));
    try {
      const port = await freePortRange(2);
      const other = spawnNode({
        id: 2,
        address: `127.0.0.1:${port}`,
        peerAddress: `127.0.0.1:${port + 1}`,
        peers: `2=127.0.0.1:${port + 1}`,
        dataDir: join(elsewhere, 'node-2'),
        logFile: join(elsewhere, 'node-2.log'),
        launcher: tsxLauncher,
      });
      const started = Date.now();
      while (!readFileSync(join(elsewhere, 'node-2.log'), 'utf8').includes('node started')) {
        if (other.exit !== undefined || Date.now() - started > 30_000)
          throw new Error('the other cluster did not start');
        await sleep(100);
      }
      other.child.kill('SIGTERM');
      await other.exited;
      const foreign = await refusedStart({
        id: 2,
        address: two.address,
        peerAddress: two.peerAddress,
        peers,
        dataDir: join(elsewhere, 'node-2'),
        logFile: join(cluster.dir, 'foreign.log'),
      });
      expect(foreign.code).toBe(identityExitCode);
      expect(foreign.log).toMatch(/belongs to cluster .*, but peer (1|3) at .* belongs to cluster/);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }

    // Nothing was written to node 2's directory: it still starts as node 2 of this cluster.
    await two.start();
    expect(one.running && two.running).toBe(true);
  }, 120_000);

  it('a node on an empty directory whose peers are silent waits, answering as awaiting; the cluster forms once they start', async () => {
    const cluster = await startCluster({ nodes: 3, started: 0 });
    const [one, two, three] = cluster.nodes as [
      (typeof cluster.nodes)[number],
      (typeof cluster.nodes)[number],
      (typeof cluster.nodes)[number],
    ];
    // Node 1 is the lowest id: alone, it once took the cluster for a new one at once.
    const firstStarted = one.start();
    const probe = createClient(AdminService, one.peerAddress);
    onTestFinished(() => probe.close());
    const deadline = Date.now() + 20_000;
    let answer = await probe.clusterStatus({}, { timeoutMs: 2_000 }).catch(() => undefined);
    while (answer === undefined && Date.now() < deadline) {
      await sleep(200);
      answer = await probe.clusterStatus({}, { timeoutMs: 2_000 }).catch(() => undefined);
    }
    expect(answer?.awaitingIdentity).toBe(true);
    expect(answer?.clusterId).toBe('');
    await sleep(2_000);
    expect(readFileSync(one.logFile, 'utf8')).toContain('empty data directory: waiting for enough peers');
    expect(readFileSync(one.logFile, 'utf8')).not.toContain('recorded the identity of a new data directory');

    await Promise.all([firstStarted, two.start(), three.start()]);
    await cluster.createTopic(topic, 1, 3);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(100);
    const read = await cluster.readPartition(topic, 0, { timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(100);
    const status = await cluster.clusterStatus();
    expect(status.awaitingIdentity).toBe(false);
    expect(status.clusterId).not.toBe('');
  }, 120_000);
});
