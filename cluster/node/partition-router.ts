import { RaftlogError, type NodeId } from '../../lib/index.js';
import type { ControllerState, PartitionAssignment, TopicInfo } from '../controller/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { TopicView } from './node-api.js';
import { notLeader, type LocalPartition } from './partition-ops.js';
import { brokerViews, topicView } from './views.js';

export interface PartitionRouterDeps {
  readonly nodeId: NodeId;
  /** The address clients are told to use for this node. */
  readonly advertise: string;
  /** The configured seeds: id → peer-listener address. */
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly controller: ControllerReplica;
  readonly isAlive: (nodeId: NodeId) => boolean;
  /** The controller decommissioned this node: it serves no data. */
  readonly removed: () => boolean;
}

/**
 * Where a partition's requests go: the local replicas this node runs, which of them it leads, and
 * for the rest the leader (and its client address) to point the caller at. Every data and admin
 * request asks here, and the answer is final: a local replica, or NOT_LEADER naming where to go.
 */
export class PartitionRouter {
  /** The partition replicas running here, by Raft group id (the reconciler adds and removes them). */
  readonly local = new Map<number, LocalPartition>();

  constructor(private readonly deps: PartitionRouterDeps) {}

  private get state(): ControllerState {
    return this.deps.controller.state;
  }

  topicInfo(name: string): TopicInfo {
    const t = this.state.topics.get(name);
    if (t === undefined)
      throw new RaftlogError('TOPIC_NOT_FOUND', `topic ${JSON.stringify(name)} does not exist`);
    return t;
  }

  assignment(topic: string, partition: number): PartitionAssignment {
    const a = this.topicInfo(topic).partitions[partition];
    if (a === undefined)
      throw new RaftlogError('PARTITION_NOT_FOUND', `topic ${topic} has no partition ${partition}`);
    return a;
  }

  /** The local replica of a partition this node leads, or NOT_LEADER pointing at the leader. */
  leaderOf(topic: string, partition: number): LocalPartition {
    if (this.deps.removed())
      throw new RaftlogError('NODE_REMOVED', `node ${this.deps.nodeId} was removed from the cluster`);
    const local = this.replicaOf(topic, partition);
    if (!local.group.isLeader()) throw this.pointAt(`${topic}/${partition}`, local.group.leader);
    return local;
  }

  /** The local replica of a partition, leader or not (for replica reads). */
  replicaOf(topic: string, partition: number): LocalPartition {
    const a = this.assignment(topic, partition);
    const local = this.local.get(a.groupId);
    if (local !== undefined) return local;
    throw this.pointAt(`${topic}/${partition}`, guessLeader(a.replicas));
  }

  /**
   * NOT_LEADER naming the node to ask instead, unless that is this node (its replica is not running
   * yet, as right after a topic is created, or not leading yet): a hint back to itself would only send
   * the client round in a circle, so that is LEADER_NOT_AVAILABLE, which clients retry after a pause.
   */
  private pointAt(what: string, leader: NodeId | 0): RaftlogError {
    if (leader === this.deps.nodeId) {
      return new RaftlogError('LEADER_NOT_AVAILABLE', `${what} has no leader on this node yet`);
    }
    return notLeader(what, leader, this.addressOf(leader));
  }

  /** Partitions of `topic` this node leads right now. */
  ledPartitions(topic: string): number[] {
    const led: number[] = [];
    this.topicInfo(topic).partitions.forEach((a, partition) => {
      if (this.local.get(a.groupId)?.group.isLeader() === true) led.push(partition);
    });
    return led;
  }

  /** The client address of a node. */
  addressOf(id: NodeId | 0): string | undefined {
    if (id === 0) return undefined;
    // Peers are dialled at peer-listener addresses; clients are told client addresses, own first.
    const registered = this.state.nodes.get(id)?.address;
    return registered ?? (id === this.deps.nodeId ? this.deps.advertise : this.deps.peers.get(id));
  }

  /** Registered nodes, and the configured seeds not registered yet. */
  brokers(): ReturnType<typeof brokerViews> {
    const registered = brokerViews(this.state);
    const known = new Set(registered.map((b) => b.nodeId));
    const unregistered = [...this.deps.peers]
      .filter(([id]) => !known.has(id))
      .map(([id, address]) => ({
        nodeId: id,
        address: id === this.deps.nodeId ? this.deps.advertise : address,
        peerAddress: address,
        alive: true,
      }));
    return [...registered, ...unregistered].sort((a, b) => a.nodeId - b.nodeId);
  }

  /**
   * For a partition this node does not host, the preferred replica is the best guess (a wrong one
   * answers NOT_LEADER with the real leader); a hosted partition without a leader says so.
   */
  leaderSeen(a: PartitionAssignment): NodeId | 0 {
    const local = this.local.get(a.groupId);
    return local === undefined ? guessLeader(a.replicas) : local.group.leader;
  }

  topicView(name: string): TopicView {
    return topicView(
      this.topicInfo(name),
      (g) => this.local.get(g),
      (id) => this.deps.isAlive(id),
      (a) => guessLeader(a.replicas),
    );
  }
}

function guessLeader(replicas: readonly NodeId[]): NodeId | 0 {
  return replicas[0] ?? 0;
}
