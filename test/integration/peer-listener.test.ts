import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createClient } from '../../rpc/index.js';
import { toProtoMessage } from '../../cluster/transport/index.js';
import { groupId, nodeId, type Term } from '../../lib/index.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { makeMessage, termMax } from '../../raft/index.js';
import { PartitionWriter, sleep, startCluster, verifyPartition, type TestCluster } from './harness/index.js';

const topic = 'peer-listener';

describe('the peer listener, 3 nodes', () => {
  it('serves PeerService on the peer port only: on the client port it is UNIMPLEMENTED', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const { clusterId } = await cluster.clusterStatus();
    const node = cluster.node(1);
    const hello = { nodeId: 2, expectedNodeId: 1, clusterId, protocolVersion: 1, address: '' };

    const viaClientPort = createClient(PeerService, node.address);
    const viaPeerPort = createClient(PeerService, node.peerAddress);
    onTestFinished(() => {
      viaClientPort.close();
      viaPeerPort.close();
    });
    await expect(viaClientPort.hello(hello, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'UNIMPLEMENTED',
    });
    await expect(
      viaClientPort.proposeControllerCommand({ entry: new Uint8Array(8) }, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    expect(await viaPeerPort.hello(hello, { timeoutMs: 5_000 })).toMatchObject({ nodeId: 1, clusterId });

    // The nodes replicate over their peer ports.
    await cluster.createTopic(topic, 1, 3);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(200);
    const read = await cluster.readPartition(topic, 0, { timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(200);
  }, 90_000);

  it('refuses a forged heartbeat with term 2^53-1 from a peer that said a valid Hello; the leaders stay', async () => {
    const cluster = await startCluster({ nodes: 3 });
    await cluster.createTopic(topic, 1, 3);
    const partitionLeader = await cluster.waitForLeader(topic, 0);
    const before = await cluster.clusterStatus();
    const target = cluster.node(before.controller!.leaderId);
    const impostor = cluster.nodes.find((n) => n.id !== target.id)!.id;
    const partitionGroup = Number(before.partitions.find((p) => p.topic === topic)!.groupId);

    await sendForgedHeartbeats(cluster, target.id, impostor, before.clusterId, [0, partitionGroup]);
    await sleep(2_000);

    const after = await cluster.clusterStatus();
    expect(after.controller?.leaderId).toBe(target.id);
    expect(after.controller?.term).toBe(before.controller?.term);
    const leader = await cluster.waitForLeader(topic, 0, { timeoutMs: 2_000 });
    expect([leader.leaderId, leader.term]).toEqual([partitionLeader.leaderId, partitionLeader.term]);
    expect(readFileSync(target.logFile, 'utf8')).toMatch(/refused a heartbeat from node \d: a term beyond/);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(200);
    const read = await cluster.readPartition(topic, 0, { timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(200);
  }, 90_000);
});

/** Says Hello to `to`'s peer port as node `as` (as a buggy or compromised peer would) and sends heartbeats. */
async function sendForgedHeartbeats(
  cluster: TestCluster,
  to: number,
  as: number,
  clusterId: string,
  groups: readonly number[],
): Promise<void> {
  const peer = createClient(PeerService, cluster.node(to).peerAddress);
  onTestFinished(() => peer.close());
  await peer.hello({ nodeId: as, expectedNodeId: to, clusterId, protocolVersion: 1, address: '' });
  const stream = peer.raft();
  onTestFinished(() => stream.cancel());
  const forged = (group: number) =>
    toProtoMessage(
      groupId(group),
      makeMessage({
        type: 'heartbeat',
        from: nodeId(as),
        to: nodeId(to),
        term: Number.MAX_SAFE_INTEGER as Term,
      }),
    );
  expect(Number.MAX_SAFE_INTEGER).toBeGreaterThan(termMax);
  await stream.send({ sequence: 1n, fromNodeId: as, toNodeId: to, messages: groups.map(forged) });
}
