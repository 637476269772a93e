import { RaftlogError, type NodeId } from '../../lib/index.js';
import {
  applyControllerCommand,
  type ControllerCommand,
  type ControllerOutput,
  type TopicConfig,
  type TopicConfigInput,
} from '../controller/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { NodeClock } from './node-clock.js';
import type { CreateTopicInput, TopicView } from './node-api.js';
import type { PartitionRouter } from './partition-router.js';
import { topicView } from './views.js';

export interface TopicAdminDeps {
  readonly controller: ControllerReplica;
  readonly router: PartitionRouter;
  readonly propose: (command: ControllerCommand) => Promise<ControllerOutput>;
  /** The configured seeds: they count as cluster members before they register. */
  readonly peers: ReadonlyMap<NodeId, string>;
  readonly clock: NodeClock;
}

const replicationFactorDefault = 3;

/**
 * Admin changes of topics, replicas and node registrations: each is one controller command, and
 * returns once this node's controller replica applied it (so a view read afterwards shows it).
 */
export class TopicAdmin {
  constructor(private readonly deps: TopicAdminDeps) {}

  async createTopic(input: CreateTopicInput): Promise<TopicView> {
    const command: ControllerCommand = {
      type: 'create-topic',
      name: input.name,
      partitions: input.partitions,
      replicationFactor:
        input.replicationFactor > 0 ? input.replicationFactor : this.defaultReplicationFactor(),
      config: input.config,
    };
    if (input.validateOnly) return this.validateCreate(command);
    await this.deps.propose(command);
    return this.deps.router.topicView(input.name);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.deps.propose({ type: 'delete-topic', name });
  }

  async updateTopicConfig(name: string, config: TopicConfigInput): Promise<TopicConfig> {
    await this.deps.propose({ type: 'update-topic-config', name, config });
    return this.deps.router.topicInfo(name).config;
  }

  async createPartitions(name: string, partitions: number): Promise<void> {
    await this.deps.propose({ type: 'add-partitions', name, partitions });
  }

  async addReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    await this.deps.propose({ type: 'add-replica', topic, partition, nodeId });
  }

  async removeReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    await this.deps.propose({ type: 'remove-replica', topic, partition, nodeId });
  }

  /** Records a finished replica move with the controller. */
  async completeReassignment(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    await this.deps.propose({ type: 'complete-reassignment', topic, partition, replicas });
  }

  /** Registers (or re-addresses) a node with the controller. */
  async registerNode(nodeId: NodeId, address: string, peerAddress?: string): Promise<void> {
    await this.deps.propose({
      type: 'register-node',
      nodeId,
      address,
      ...(peerAddress === undefined || peerAddress === '' ? {} : { peerAddress }),
    });
  }

  /** Runs the command against the applied state without proposing it: the topic it would make. */
  private validateCreate(command: ControllerCommand): TopicView {
    const state = this.deps.controller.state;
    const { result } = applyControllerCommand(state, command, {
      index: state.appliedIndex + 1,
      timestampMs: this.deps.clock.now(),
    });
    if (!result.ok) throw new RaftlogError(result.code, result.message);
    if (result.output.type !== 'topic') throw new RaftlogError('INTERNAL', 'create-topic gave no topic');
    return topicView(
      result.output.topic,
      () => undefined,
      () => false,
    );
  }

  /**
   * Kafka's default.replication.factor is 1; a replicated log broker defaults to 3, or to the size of
   * a smaller cluster. Sized by the cluster's members (every node ever registered, and every node of
   * the configured peer list, registered yet or not), never by the live ones: with a node down, or
   * not registered yet right after a start, the create fails NOT_ENOUGH_REPLICAS (retriable), as in
   * Kafka, instead of silently making a less durable topic.
   */
  private defaultReplicationFactor(): number {
    const nodes = this.deps.controller.state.nodes;
    const members = new Set(
      [...nodes.keys(), ...this.deps.peers.keys()].filter(
        (id) => (nodes.get(id)?.membership ?? 'active') === 'active',
      ),
    );
    return Math.max(1, Math.min(replicationFactorDefault, members.size));
  }
}
