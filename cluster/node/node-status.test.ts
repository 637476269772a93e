import { describe, expect, it } from 'vitest';
import { nodeId, type NodeId } from '../../lib/index.js';
import type { MultiRaftHost } from '../host/index.js';
import { ControllerReplica } from './controller-replica.js';
import { NodeStatus } from './node-status.js';
import type { PartitionRouter } from './partition-router.js';

/** Node 1's status with nodes 1–4 known; node 2 answered version 2, node 3 nothing, node 4 is not connected. */
function statusOfNode1(): NodeStatus {
  const brokers = [1, 2, 3, 4].map((id) => ({
    nodeId: nodeId(id),
    address: `n${id}:1`,
    peerAddress: `n${id}:2`,
    alive: true,
  }));
  const router = { brokers: () => brokers, leaderSeen: () => 0 } as unknown as PartitionRouter;
  const host = { group: () => undefined } as unknown as MultiRaftHost;
  return new NodeStatus({
    nodeId: nodeId(1),
    clusterId: 'c',
    controller: new ControllerReplica(2),
    host,
    router,
    peerVersions: () =>
      new Map<NodeId, number>([
        [nodeId(2), 2],
        [nodeId(3), 0],
      ]),
  });
}

describe('cluster status versions', () => {
  it("shows the active version and each node's logical version as this node knows it", () => {
    const status = statusOfNode1().clusterStatus({ omitPartitions: true });
    expect(status.activeVersion).toBe(1);
    expect(status.nodes.map((n) => [n.nodeId, n.logicalVersion])).toEqual([
      [1, 2],
      [2, 2],
      [3, 1],
      [4, 0],
    ]);
  });
});
