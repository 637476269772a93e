import { assert, type NodeId } from '../../lib/index.js';
import type { ControllerState, TopicInfo } from './controller-types.js';

/** Nodes placement may use: registered, live, and not being decommissioned (sorted ids). */
export function activeNodeIds(state: ControllerState): NodeId[] {
  return [...state.nodes.values()]
    .filter((n) => n.alive && n.membership === 'active')
    .map((n) => n.id)
    .sort((a, b) => a - b);
}

export interface NodeLoad {
  readonly replicas: number;
  readonly leaders: number;
}

/** Replicas and preferred leaderships per node, counting pending reassignment targets as well. */
export function nodeLoads(topics: Iterable<TopicInfo>): Map<NodeId, NodeLoad> {
  const loads = new Map<NodeId, NodeLoad>();
  const bump = (node: NodeId, leader: boolean) => {
    const old = loads.get(node) ?? { replicas: 0, leaders: 0 };
    loads.set(node, { replicas: old.replicas + 1, leaders: old.leaders + (leader ? 1 : 0) });
  };
  for (const topic of topics) {
    for (const p of topic.partitions) {
      const all = new Set([...p.replicas, ...(p.targetReplicas ?? [])]);
      for (const node of all) bump(node, node === p.replicas[0]);
    }
  }
  return loads;
}

export interface PlacementResult {
  /** One replica list per new partition, preferred leader first. */
  readonly replicaSets: NodeId[][];
  readonly cursor: number;
}

/**
 * Places `partitions` new partitions of `replicationFactor` replicas on `liveNodes` (sorted ids).
 * Per partition: the leader is the node with the fewest preferred leaderships (then fewest replicas),
 * ties broken by distance from a start position that rotates by one per partition; the followers are
 * the nodes with the fewest replicas, ties broken by distance after the leader. The leader is only
 * taken among the least-loaded nodes when there are enough of them to fill the partition, so replica
 * counts stay within one of each other whenever they start that way.
 */
export function placePartitions(
  liveNodes: readonly NodeId[],
  existing: ReadonlyMap<NodeId, NodeLoad>,
  cursor: number,
  partitions: number,
  replicationFactor: number,
): PlacementResult {
  const n = liveNodes.length;
  assert(replicationFactor >= 1 && replicationFactor <= n, 'replication factor exceeds live nodes');
  const replicas = liveNodes.map((id) => existing.get(id)?.replicas ?? 0);
  const leaders = liveNodes.map((id) => existing.get(id)?.leaders ?? 0);
  const positions = liveNodes.map((_, pos) => pos);
  const replicaSets: NodeId[][] = [];
  let next = cursor % n;
  for (let i = 0; i < partitions; i++) {
    const fromStart = (pos: number) => (pos - next + n) % n;
    const fewest = Math.min(...replicas);
    const leastLoaded = positions.filter((pos) => replicas[pos] === fewest);
    const eligible = leastLoaded.length >= replicationFactor ? leastLoaded : positions;
    const leader = eligible.reduce((best, pos) =>
      (leaders[pos]! - leaders[best]! ||
        replicas[pos]! - replicas[best]! ||
        fromStart(pos) - fromStart(best)) < 0
        ? pos
        : best,
    );
    const afterLeader = (pos: number) => (pos - leader + n) % n;
    const followers = positions
      .filter((pos) => pos !== leader)
      .sort((a, b) => replicas[a]! - replicas[b]! || afterLeader(a) - afterLeader(b))
      .slice(0, replicationFactor - 1)
      .sort((a, b) => afterLeader(a) - afterLeader(b));
    const chosen = [leader, ...followers];
    for (const pos of chosen) replicas[pos]!++;
    leaders[leader]!++;
    replicaSets.push(chosen.map((pos) => liveNodes[pos]!));
    next = (next + 1) % n;
  }
  return { replicaSets, cursor: next };
}
