import { RaftlogError, type NodeId } from '../../lib/index.js';
import {
  applyControllerCommand,
  type ControllerCommand,
  type ControllerOutput,
  type TopicConfig,
  type TopicConfigInput,
  type TopicInfo,
  type TopicSpec,
} from '../controller/index.js';
import type { ControllerReplica } from './controller-replica.js';
import type { NodeClock } from './node-clock.js';
import type { CreateTopicInput, TopicCreateOutcome, TopicView } from './node-api.js';
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

/** A topic that does not exist yet: no leaders, no replica in sync. */
const unledView = (topic: TopicInfo): TopicView =>
  topicView(
    topic,
    () => undefined,
    () => false,
  );

/**
 * Admin changes of topics, replicas and node registrations: each is one controller command, and
 * returns once this node's controller replica applied it (so a view read afterwards shows it).
 */
export class TopicAdmin {
  constructor(private readonly deps: TopicAdminDeps) {}

  async createTopic(input: CreateTopicInput): Promise<TopicView> {
    const command: ControllerCommand = { type: 'create-topic', ...this.topicSpec(input) };
    if (input.validateOnly) return this.validateCreate(command);
    await this.deps.propose(command);
    return this.deps.router.topicView(input.name);
  }

  async createTopics(
    inputs: readonly CreateTopicInput[],
    validateOnly: boolean,
  ): Promise<TopicCreateOutcome[]> {
    const command: ControllerCommand = {
      type: 'create-topics',
      topics: inputs.map((i) => this.topicSpec(i)),
    };
    const output = validateOnly ? this.dryRun(command) : await this.deps.propose(command);
    if (output.type !== 'topics-created') throw new RaftlogError('INTERNAL', 'create-topics gave no results');
    return output.results.map((r) => {
      if (!r.ok) return { name: r.name, error: new RaftlogError(r.code, r.message) };
      return { name: r.name, topic: validateOnly ? unledView(r.topic) : this.deps.router.topicView(r.name) };
    });
  }

  private topicSpec(input: CreateTopicInput): TopicSpec {
    return {
      name: input.name,
      partitions: input.partitions,
      replicationFactor:
        input.replicationFactor > 0 ? input.replicationFactor : this.defaultReplicationFactor(),
      config: input.config,
    };
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
    const output = this.dryRun(command);
    if (output.type !== 'topic') throw new RaftlogError('INTERNAL', 'create-topic gave no topic');
    return unledView(output.topic);
  }

  /** What the command would output if proposed now, changing nothing. */
  private dryRun(command: ControllerCommand): ControllerOutput {
    const state = this.deps.controller.state;
    const { result } = applyControllerCommand(state, command, {
      index: state.appliedIndex + 1,
      timestampMs: this.deps.clock.now(),
    });
    if (!result.ok) throw new RaftlogError(result.code, result.message);
    return result.output;
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
