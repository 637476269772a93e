import type { NodeId } from '../../lib/index.js';
import type { ControllerState, PartitionAssignment } from './controller-types.js';
import { activeNodeIds, nodeLoads } from './placement.js';

/** One partition going from one replica set to another of the same size. */
export interface PartitionMove {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly NodeId[];
  readonly to: readonly NodeId[];
}

interface Candidate {
  readonly topic: string;
  readonly assignment: PartitionAssignment;
}

/** Partitions in a stable order (topic name, then index) that no reassignment is moving yet. */
function settledPartitions(state: ControllerState): Candidate[] {
  return [...state.topics.values()]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((t) =>
      t.partitions
        .filter((a) => a.targetReplicas === null)
        .map((assignment) => ({ topic: t.name, assignment })),
    );
}

function replicaCounts(state: ControllerState): Map<NodeId, number> {
  const counts = new Map<NodeId, number>();
  for (const [id, load] of nodeLoads(state.topics.values())) counts.set(id, load.replicas);
  return counts;
}

/** The node with the fewest replicas among `candidates`, the lowest id on a tie. */
function leastLoaded(candidates: readonly NodeId[], counts: ReadonlyMap<NodeId, number>): NodeId | undefined {
  let best: NodeId | undefined;
  for (const id of candidates) {
    if (best === undefined || (counts.get(id) ?? 0) < (counts.get(best) ?? 0)) best = id;
  }
  return best;
}

function bump(counts: Map<NodeId, number>, id: NodeId, by: number): void {
  counts.set(id, (counts.get(id) ?? 0) + by);
}

/**
 * Moves that take `node`'s replicas off it: each partition it holds gets the least-loaded active node
 * it lacks in the same position (so a preferred leadership moves too). Partitions already moving are
 * left for a later round. At most `movesMax` moves.
 */
export function planDrain(state: ControllerState, node: NodeId, movesMax: number): PartitionMove[] {
  const targets = activeNodeIds(state).filter((id) => id !== node);
  const counts = replicaCounts(state);
  const moves: PartitionMove[] = [];
  for (const { topic, assignment } of settledPartitions(state)) {
    if (moves.length >= movesMax) break;
    const from = assignment.replicas;
    if (!from.includes(node)) continue;
    const pick = leastLoaded(
      targets.filter((id) => !from.includes(id)),
      counts,
    );
    if (pick === undefined) continue;
    bump(counts, pick, 1);
    bump(counts, node, -1);
    moves.push({
      topic,
      partition: assignment.partition,
      from,
      to: from.map((r) => (r === node ? pick : r)),
    });
  }
  return moves;
}

/**
 * Moves that spread replicas over the active nodes until replica counts differ by at most one: the
 * busiest node gives a replica to the idlest, taking first a partition it is the preferred leader of
 * when it has more preferred leaderships than the idlest. Then preferred leaderships are evened out
 * by reordering replica lists (no data moves). Deterministic; a plan applied and planned again gives
 * no moves. At most `movesMax` partitions change (one move may change several positions).
 */
export function planRebalance(state: ControllerState, movesMax: number): PartitionMove[] {
  const nodes = activeNodeIds(state);
  if (nodes.length < 2) return [];
  const plan = new RebalancePlan(state, nodes);
  while (plan.size < movesMax && plan.moveOneReplica());
  while (plan.size < movesMax && plan.swapOneLeader());
  return plan.moves();
}

interface Working extends Candidate {
  readonly replicas: NodeId[];
}

/** The working state of planRebalance: replica sets as they would be, and the counts per node. */
class RebalancePlan {
  private readonly partitions: Working[];
  private readonly counts: Map<NodeId, number>;
  private readonly leaders: Map<NodeId, number>;
  private readonly changed = new Set<Working>();

  constructor(
    state: ControllerState,
    private readonly nodes: readonly NodeId[],
  ) {
    this.partitions = settledPartitions(state).map((c) => ({ ...c, replicas: [...c.assignment.replicas] }));
    this.counts = new Map(nodes.map((id) => [id, 0]));
    this.leaders = new Map(nodes.map((id) => [id, 0]));
    for (const p of this.partitions) {
      p.replicas.forEach((r, i) => {
        if (this.counts.has(r)) bump(this.counts, r, 1);
        if (i === 0 && this.leaders.has(r)) bump(this.leaders, r, 1);
      });
    }
  }

  get size(): number {
    return this.changed.size;
  }

  /** The busiest node gives one replica to the idlest; false once counts differ by at most one. */
  moveOneReplica(): boolean {
    const [idlest, busiest] = this.extremes(this.counts);
    if (this.get(this.counts, busiest) - this.get(this.counts, idlest) <= 1) return false;
    const movable = this.partitions.filter(
      (p) => p.replicas.includes(busiest) && !p.replicas.includes(idlest),
    );
    const leaderFirst = this.get(this.leaders, busiest) > this.get(this.leaders, idlest);
    const chosen = movable.find((p) => (p.replicas[0] === busiest) === leaderFirst) ?? movable[0];
    if (chosen === undefined) return false;
    const at = chosen.replicas.indexOf(busiest);
    chosen.replicas[at] = idlest;
    bump(this.counts, busiest, -1);
    bump(this.counts, idlest, 1);
    if (at === 0) {
      bump(this.leaders, busiest, -1);
      bump(this.leaders, idlest, 1);
    }
    this.changed.add(chosen);
    return true;
  }

  /** Reorders one partition so a replica on the node with fewest preferred leaderships leads it. */
  swapOneLeader(): boolean {
    const [idlest, busiest] = this.extremes(this.leaders);
    if (this.get(this.leaders, busiest) - this.get(this.leaders, idlest) <= 1) return false;
    const chosen = this.partitions.find((p) => p.replicas[0] === busiest && p.replicas.includes(idlest));
    if (chosen === undefined) return false;
    const at = chosen.replicas.indexOf(idlest);
    chosen.replicas[at] = busiest;
    chosen.replicas[0] = idlest;
    bump(this.leaders, busiest, -1);
    bump(this.leaders, idlest, 1);
    this.changed.add(chosen);
    return true;
  }

  moves(): PartitionMove[] {
    return this.partitions
      .filter((p) => this.changed.has(p))
      .map((p) => ({
        topic: p.topic,
        partition: p.assignment.partition,
        from: p.assignment.replicas,
        to: [...p.replicas],
      }));
  }

  private get(counts: ReadonlyMap<NodeId, number>, id: NodeId): number {
    return counts.get(id) ?? 0;
  }

  /** [least, most] by count, lower ids first on ties. */
  private extremes(counts: ReadonlyMap<NodeId, number>): [NodeId, NodeId] {
    const sorted = [...this.nodes].sort((a, b) => this.get(counts, a) - this.get(counts, b) || a - b);
    return [sorted[0]!, sorted[sorted.length - 1]!];
  }
}
