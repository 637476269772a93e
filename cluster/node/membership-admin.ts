import { RaftlogError, type NodeId } from '../../lib/index.js';
import {
  nodeLoads,
  planRebalance,
  type ControllerCommand,
  type ControllerOutput,
  type PartitionMove,
} from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import { controllerSurvivesRemoval } from './controller-membership.js';

/** A rebalance plans at most this many moves unless asked for fewer. */
export const rebalanceMovesMax = 1_000;

export interface MembershipAdminContext {
  readonly nodeId: NodeId;
  readonly controller: ControllerReplica;
  readonly controllerGroup: () => RaftGroup | undefined;
  /** Heard from within an election timeout. */
  readonly isAlive: (id: NodeId) => boolean;
  readonly proposeController: (command: ControllerCommand) => Promise<ControllerOutput>;
}

/** The admin calls that change which nodes hold what: decommission, partition moves, rebalance. */
export class MembershipAdmin {
  constructor(private readonly ctx: MembershipAdminContext) {}

  /**
   * Starts a decommission (the controller leader's duties carry it out) and answers how many
   * replicas the node still holds. Asking again while it drains only answers that.
   */
  async removeNode(id: NodeId): Promise<{ replicasLeft: number }> {
    const node = this.ctx.controller.state.nodes.get(id);
    if (node === undefined) throw new RaftlogError('INVALID_ARGUMENT', `node ${id} is not registered`);
    if (node.membership === 'removed')
      throw new RaftlogError('NODE_REMOVED', `node ${id} was already removed`);
    if (node.membership === 'active') {
      const conf = this.ctx.controllerGroup()?.confState;
      if (conf === undefined) throw new RaftlogError('UNAVAILABLE', 'the controller is not running');
      const alive = (n: NodeId): boolean => n === this.ctx.nodeId || this.ctx.isAlive(n);
      const verdict = controllerSurvivesRemoval(conf.voters, conf.learners, id, alive);
      if (!verdict.ok) throw new RaftlogError('CLUSTER_TOO_SMALL', verdict.why);
      await this.ctx.proposeController({ type: 'decommission-node', nodeId: id });
    }
    return { replicasLeft: nodeLoads(this.ctx.controller.state.topics.values()).get(id)?.replicas ?? 0 };
  }

  async reassignPartition(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    await this.ctx.proposeController({ type: 'reassign-partition', topic, partition, replicas });
  }

  /**
   * Plans from this node's controller replica and records the moves one by one; a move the
   * controller refuses because the partition started moving meanwhile is left out of the answer.
   */
  async rebalancePartitions(input: { dryRun: boolean; movesMax: number }): Promise<PartitionMove[]> {
    const movesMax = input.movesMax > 0 ? Math.min(input.movesMax, rebalanceMovesMax) : rebalanceMovesMax;
    const plan = planRebalance(this.ctx.controller.state, movesMax);
    if (input.dryRun) return plan;
    const started: PartitionMove[] = [];
    for (const move of plan) {
      try {
        await this.reassignPartition(move.topic, move.partition, move.to);
        started.push(move);
      } catch (error) {
        if (!(error instanceof RaftlogError && error.code === 'INVALID_ARGUMENT')) throw error;
      }
    }
    return started;
  }
}
