import type { Logger } from 'pino';
import type { GroupId, NodeId } from '../../lib/index.js';
import { allMembers } from '../../raft/index.js';
import { NodeMembership } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { controllerGroupIdValue, nodeLoads, planDrain, type ControllerCommand } from '../controller/index.js';
import type { MultiRaftHost, RaftGroup } from '../host/index.js';
import type { ControllerReplica } from './controller-replica.js';
import { nextControllerMembershipStep } from './controller-membership.js';
import type { PeerCalls } from './peer-clients.js';
import type { PeerDirectory } from './peer-directory.js';

const controllerGroup = controllerGroupIdValue as GroupId;
/** Partition moves a decommission keeps going at once, cluster-wide (each streams a snapshot). */
const drainMovesInFlightMax = 8;
/** A seed that does not answer this fast is skipped for the next one. */
const joinCallTimeoutMs = 3_000;

export interface MembershipContext {
  readonly nodeId: NodeId;
  readonly advertise: string;
  readonly peerAdvertise: string;
  readonly host: MultiRaftHost;
  readonly controller: ControllerReplica;
  readonly peers: PeerDirectory;
  readonly peerClients: PeerCalls;
  readonly proposeController: (command: ControllerCommand) => Promise<unknown>;
  /** The controller says this node was decommissioned. */
  readonly onRemoved: () => void;
  readonly logger: Logger;
}

/**
 * The membership part of a node's periodic work. As controller leader: grow and shrink the
 * controller group (controller-membership.ts) and drain decommissioned nodes. Outside the
 * controller group (a new node, or one whose disk was wiped): learn the cluster's nodes from a seed
 * and ask to be added, until the controller leader has taken this node in as a learner.
 */
export class MembershipDuties {
  private askedToJoin = false;

  constructor(private readonly ctx: MembershipContext) {}

  async run(): Promise<void> {
    const group = this.ctx.host.group(controllerGroup);
    if (group === undefined) return;
    if (group.isLeader()) {
      await this.driveConfiguration(group);
      await this.drainDecommissioned();
    } else if (group.leader === 0 && !allMembers(group.confState).includes(this.ctx.nodeId)) {
      await this.join();
    }
  }

  private async driveConfiguration(group: RaftGroup): Promise<void> {
    const { host, nodeId } = this.ctx;
    const members = [...this.ctx.controller.state.nodes.values()].map((n) => ({
      id: n.id,
      membership: n.membership,
      alive: n.id === nodeId || host.isAlive(n.id),
    }));
    const step = nextControllerMembershipStep(group.status(), members);
    switch (step.kind) {
      case 'none':
        return;
      case 'add-learners':
        // A fresh snapshot, so the new members catch up from it rather than from the whole log.
        await host.snapshotNow(controllerGroup);
        group.proposeConfChange(step.change);
        break;
      case 'transfer':
        group.transferLeader(step.to);
        break;
      case 'change':
        group.proposeConfChange(step.change);
        break;
    }
    this.ctx.logger.info({ step }, 'changing the controller membership');
    host.schedule();
  }

  /** Moves replicas off draining nodes, a bounded number at a time; an empty one is removed. */
  private async drainDecommissioned(): Promise<void> {
    const state = this.ctx.controller.state;
    const loads = nodeLoads(state.topics.values());
    let inFlight = 0;
    for (const t of state.topics.values()) for (const p of t.partitions) if (p.targetReplicas) inFlight++;
    for (const node of state.nodes.values()) {
      if (node.membership !== 'draining') continue;
      if (!loads.has(node.id)) {
        await this.ctx.proposeController({ type: 'finish-node-removal', nodeId: node.id });
        this.ctx.logger.info({ removed: node.id }, 'node decommissioned: it holds no replica any more');
        continue;
      }
      for (const move of planDrain(state, node.id, Math.max(0, drainMovesInFlightMax - inFlight))) {
        inFlight++;
        await this.ctx.proposeController({
          type: 'reassign-partition',
          topic: move.topic,
          partition: move.partition,
          replicas: move.to,
        });
      }
    }
  }

  /** Asks the seeds, one after the other, for the cluster's nodes and to register this node. */
  private async join(): Promise<void> {
    const { nodeId, peers, peerClients, advertise, peerAdvertise, logger } = this.ctx;
    for (const [id, address] of peers.addresses) {
      if (id === nodeId) continue;
      try {
        const admin = peerClients.admin(address);
        const status = await admin.clusterStatus({ omitPartitions: true }, { timeoutMs: joinCallTimeoutMs });
        for (const n of status.nodes) if (n.nodeId !== nodeId) peers.learn(n.nodeId as NodeId, n.peerAddress);
        const me = status.nodes.find((n) => n.nodeId === nodeId);
        if (me?.membership === NodeMembership.REMOVED) {
          this.ctx.onRemoved();
          return;
        }
        if ((status.controller?.leaderId ?? 0) === 0) continue;
        if (me?.address !== advertise || me.peerAddress !== peerAdvertise) {
          const node = { nodeId, address: advertise, peerAddress: peerAdvertise };
          await admin.addNode(node, { timeoutMs: joinCallTimeoutMs });
        }
        if (!this.askedToJoin)
          logger.info({ seed: address }, 'asked the cluster to add this node to the controller');
        this.askedToJoin = true;
        return;
      } catch (error) {
        logger.debug({ err: error, seed: address }, 'a seed could not take this node in');
      }
    }
  }
}
