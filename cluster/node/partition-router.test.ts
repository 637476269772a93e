import { describe, expect, it } from 'vitest';
import type { RaftlogError } from '../../lib/index.js';
import { type NodeId } from '../../lib/index.js';
import type { Snapshot } from '../../raft/index.js';
import { encodeControllerSnapshot } from '../controller/index.js';
import { applyAll, registerNodes } from '../controller/test-helpers.js';
import { ControllerReplica } from './controller-replica.js';
import type { LocalPartition } from './partition-ops.js';
import { PartitionRouter } from './partition-router.js';

/** Node 1 of a 3-node cluster with topic `orders` (2 partitions, 3 replicas each). */
function router(removed = false): {
  router: PartitionRouter;
  groupOf: (partition: number) => number;
  preferredOf: (partition: number) => number;
} {
  const { state } = applyAll([
    ...registerNodes(3),
    { type: 'create-topic', name: 'orders', partitions: 2, replicationFactor: 3, config: {} },
  ]);
  const controller = new ControllerReplica();
  controller.restore({ data: encodeControllerSnapshot(state) } as Snapshot);
  const r = new PartitionRouter({
    nodeId: 1 as NodeId,
    advertise: '127.0.0.1:7000',
    peers: new Map(),
    controller,
    isAlive: () => true,
    removed: () => removed,
  });
  const groupOf = (partition: number): number =>
    state.topics.get('orders')?.partitions[partition]?.groupId ?? -1;
  const preferredOf = (partition: number): number =>
    state.topics.get('orders')?.partitions[partition]?.replicas[0] ?? -1;
  return { router: r, groupOf, preferredOf };
}

/** A local replica whose group is led by `leader`. */
function local(leader: number, self = 1): LocalPartition {
  return { group: { leader, isLeader: () => leader === self }, replica: {} } as unknown as LocalPartition;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return (error as RaftlogError).code;
  }
  return 'none';
}

describe('the partition router', () => {
  it('answers the local replica of a partition this node leads', () => {
    const { router: r, groupOf } = router();
    const led = local(1);
    r.local.set(groupOf(0), led);
    expect(r.leaderOf('orders', 0)).toBe(led);
    expect(r.ledPartitions('orders')).toEqual([0]);
  });

  it('points at the leader, by its client address, when a follower is asked', () => {
    const { router: r, groupOf } = router();
    r.local.set(groupOf(0), local(2));
    expect(() => r.leaderOf('orders', 0)).toThrow(/led by node 2 at 127.0.0.2:7000/);
    // A replica read is served by any replica.
    expect(r.replicaOf('orders', 0).group.leader).toBe(2);
  });

  it('guesses the preferred replica for a partition not hosted here', () => {
    const { router: r, preferredOf } = router();
    const preferred = preferredOf(1);
    expect(() => r.leaderOf('orders', 1)).toThrow(`led by node ${preferred} at 127.0.0.${preferred}:7000`);
  });

  it('never points a client back at this node: its replica not running or not leading yet is LEADER_NOT_AVAILABLE', () => {
    const { router: r, groupOf, preferredOf } = router();
    const mine = [0, 1].find((p) => preferredOf(p) === 1);
    expect(mine).toBeDefined();
    expect(codeOf(() => r.leaderOf('orders', mine!))).toBe('LEADER_NOT_AVAILABLE');
    r.local.set(groupOf(0), local(1, 2));
    expect(codeOf(() => r.leaderOf('orders', 0))).toBe('LEADER_NOT_AVAILABLE');
  });

  it('says which of topic, partition or node is wrong', () => {
    expect(codeOf(() => router().router.leaderOf('nope', 0))).toBe('TOPIC_NOT_FOUND');
    expect(codeOf(() => router().router.leaderOf('orders', 9))).toBe('PARTITION_NOT_FOUND');
    expect(codeOf(() => router(true).router.leaderOf('orders', 0))).toBe('NODE_REMOVED');
  });

  it('lists registered brokers with their client addresses', () => {
    const { router: r } = router();
    expect(r.brokers().map((b) => [b.nodeId, b.address])).toEqual([
      [1, '127.0.0.1:7000'],
      [2, '127.0.0.2:7000'],
      [3, '127.0.0.3:7000'],
    ]);
  });
});
