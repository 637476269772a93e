import { RaftlogError, type NodeId } from '../../../../lib/index.js';
import {
  applySecurityCommand,
  defaultTopicConfig,
  emptySecurityState,
  resolveTopicConfig,
  type TopicConfig,
  type TopicConfigInput,
} from '../../../../cluster/controller/index.js';
import type {
  ClusterStatusView,
  CreateTopicInput,
  TopicCreateOutcome,
  FetchInput,
  FetchOutcome,
  ListOffsetInput,
  MetadataView,
  NodeApi,
  PartitionMoveView,
  PartitionView,
  ProduceInput,
  ProduceOutcome,
  SecurityApi,
  TopicView,
  TransferInput,
} from '../../../../cluster/node/node-api.js';
import type { GroupApi } from '../../../../cluster/node/group-api.js';
import type { QueueApi } from '../../../../cluster/node/queue-api.js';
import type { TransactionsApi } from '../../../../cluster/node/txn-api.js';
import { MemoryPartition } from './memory-partition.js';

interface MemoryTopic {
  config: TopicConfig;
  partitions: MemoryPartition[];
  replicationFactor: number;
  createdAtMs: number;
}

const self = 1 as NodeId;

/**
 * A single-node NodeApi in memory, enough to exercise the gRPC translation layer: it appends, reads
 * and waits like a leader, and lets a test move leadership away, slow appends down or watch calls.
 */
const noQueues = (): Promise<never> =>
  Promise.reject(new RaftlogError('UNIMPLEMENTED', 'the in-memory node has no queues'));

export class MemoryNodeApi implements NodeApi {
  readonly nodeId = self;
  readonly clusterId = 'memory-cluster';
  /** Consumer groups need the controller: here every group call finds no coordinator. */
  readonly groups = new Proxy({} as GroupApi, {
    get: () => () => {
      throw new RaftlogError('COORDINATOR_NOT_AVAILABLE', 'the in-memory node has no group coordinator');
    },
  });
  /** Queues need Raft-replicated partition state: the in-memory node has none. */
  readonly queues: QueueApi = {
    lease: noQueues,
    settle: noQueues,
    stats: noQueues,
    deleteGroup: noQueues,
    // Answers no groups anywhere; tests put their own listing here.
    listGroups: () => Promise.resolve([]),
  };
  /** What Metadata and ClusterStatus advertise; startServices sets the address it listens on. */
  address = '127.0.0.1:19091';
  /** "topic/partition" → the leader's address: calls about that partition answer NOT_LEADER. */
  readonly leaderElsewhere = new Map<string, string>();
  /** Runs inside every append, after its offsets are assigned: tests delay or fail appends here. */
  produceHook: (input: ProduceInput, baseOffset: number) => Promise<void> = () => Promise.resolve();
  readonly produced: ProduceInput[] = [];
  readonly fetched: FetchInput[] = [];
  readonly replicaChanges: string[] = [];
  appendsInFlight = 0;
  appendsInFlightMax = 0;
  private readonly topics = new Map<string, MemoryTopic>();

  addTopic(name: string, partitions = 1, config: TopicConfigInput = {}): void {
    const resolved = resolveTopicConfig(defaultTopicConfig, config, name);
    if ('rejection' in resolved) throw new RaftlogError(resolved.rejection.code, resolved.rejection.message);
    const logs = Array.from({ length: partitions }, () => new MemoryPartition());
    this.topics.set(name, {
      config: resolved.config,
      partitions: logs,
      replicationFactor: 1,
      createdAtMs: 1_000,
    });
  }

  partitionLog(topic: string, partition: number): MemoryPartition {
    const t = this.topics.get(topic);
    if (t === undefined) throw new RaftlogError('TOPIC_NOT_FOUND', `topic '${topic}' does not exist`);
    const log = t.partitions[partition];
    if (log === undefined)
      throw new RaftlogError('PARTITION_NOT_FOUND', `${topic} has no partition ${partition}`);
    return log;
  }

  async produce(input: ProduceInput): Promise<ProduceOutcome> {
    const log = this.leaderLog(input.topic, input.partition);
    const maxMessageBytes = this.topicOf(input.topic).config.maxMessageBytes;
    if (input.batch.length > maxMessageBytes) {
      throw new RaftlogError('MESSAGE_TOO_LARGE', `batch exceeds maxMessageBytes ${maxMessageBytes}`);
    }
    this.produced.push(input);
    const batch = log.append(input.batch);
    this.appendsInFlight++;
    this.appendsInFlightMax = Math.max(this.appendsInFlightMax, this.appendsInFlight);
    try {
      await this.produceHook(input, batch.baseOffset);
    } finally {
      this.appendsInFlight--;
    }
    return {
      baseOffset: batch.baseOffset,
      lastOffset: batch.lastOffset,
      logAppendTimeMs: 5_000,
      logStartOffset: 0,
      acksAchieved: input.acks,
      replicasFsynced: 1,
      replicasTotal: 1,
      duplicate: false,
    };
  }

  fetch(input: FetchInput): Promise<FetchOutcome> {
    this.fetched.push(input);
    return Promise.resolve().then(() =>
      this.leaderLog(input.topic, input.partition).read(input.offset, input.bytesMax),
    );
  }

  waitForData(
    topic: string,
    partition: number,
    offset: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void> {
    return Promise.resolve().then(() => this.leaderLog(topic, partition).waitFor(offset, timeoutMs, signal));
  }

  listOffset(input: ListOffsetInput): Promise<{ offset: number; timestampMs: number }> {
    const log = this.leaderLog(input.topic, input.partition);
    if (input.spec === 'earliest') return Promise.resolve({ offset: 0, timestampMs: -1 });
    if (input.spec === 'latest') return Promise.resolve({ offset: log.nextOffset, timestampMs: -1 });
    const batch = log.batches.find((b) => b.maxTimestamp >= input.timestampMs);
    return Promise.resolve(
      batch === undefined
        ? { offset: -1, timestampMs: -1 }
        : { offset: batch.baseOffset, timestampMs: batch.baseTimestamp },
    );
  }

  metadata(topics: readonly string[]): MetadataView {
    const names = topics.length === 0 ? [...this.topics.keys()] : topics;
    return {
      clusterId: this.clusterId,
      brokers: [{ nodeId: self, address: this.address, peerAddress: '', alive: true }],
      controllerId: self,
      topics: names.map((name) =>
        this.topics.has(name) ? this.describeTopic(name) : { name, missing: true as const },
      ),
    };
  }

  createTopic(input: CreateTopicInput): Promise<TopicView> {
    if (this.topics.has(input.name)) {
      return Promise.reject(new RaftlogError('TOPIC_ALREADY_EXISTS', `topic '${input.name}' exists`));
    }
    this.addTopic(input.name, input.partitions, input.config);
    const view = this.describeTopic(input.name);
    if (input.validateOnly) this.topics.delete(input.name);
    return Promise.resolve(view);
  }

  /** Each topic created alone, in order (a validate-only batch checks each against the topics before it). */
  async createTopics(
    inputs: readonly CreateTopicInput[],
    validateOnly: boolean,
  ): Promise<TopicCreateOutcome[]> {
    const outcomes: TopicCreateOutcome[] = [];
    for (const input of inputs) {
      try {
        outcomes.push({ name: input.name, topic: await this.createTopic({ ...input, validateOnly: false }) });
      } catch (error) {
        if (!(error instanceof RaftlogError)) throw error;
        outcomes.push({ name: input.name, error });
      }
    }
    if (validateOnly) for (const o of outcomes) if ('topic' in o) this.topics.delete(o.name);
    return outcomes;
  }

  deleteTopic(name: string): Promise<void> {
    this.topicOf(name);
    this.topics.delete(name);
    return Promise.resolve();
  }

  listTopics(): readonly TopicView[] {
    return [...this.topics.keys()].map((name) => this.describeTopic(name));
  }

  describeTopic(name: string): TopicView {
    const topic = this.topicOf(name);
    return {
      name,
      partitions: topic.partitions.length,
      replicationFactor: topic.replicationFactor,
      config: topic.config,
      createdAtMs: topic.createdAtMs,
      partitionViews: topic.partitions.map((log, partition) => this.partitionView(name, partition, log)),
    };
  }

  updateTopicConfig(name: string, config: TopicConfigInput): Promise<TopicConfig> {
    const topic = this.topicOf(name);
    const resolved = resolveTopicConfig(topic.config, config, name);
    if ('rejection' in resolved) throw new RaftlogError(resolved.rejection.code, resolved.rejection.message);
    topic.config = resolved.config;
    return Promise.resolve(topic.config);
  }

  createPartitions(name: string, partitions: number): Promise<void> {
    const topic = this.topicOf(name);
    if (partitions <= topic.partitions.length) {
      throw new RaftlogError('INVALID_ARGUMENT', `${name} already has ${topic.partitions.length} partitions`);
    }
    while (topic.partitions.length < partitions) topic.partitions.push(new MemoryPartition());
    return Promise.resolve();
  }

  clusterStatus(options: { omitPartitions: boolean }): ClusterStatusView {
    const partitions = options.omitPartitions ? [] : this.listTopics().flatMap((t) => t.partitionViews);
    return {
      clusterId: this.clusterId,
      controller: { leaderId: self, term: 3, commitIndex: 42, voters: [self], learners: [] },
      nodes: [
        {
          nodeId: self,
          address: this.address,
          peerAddress: '',
          alive: true,
          replicas: partitions.length,
          leaders: partitions.length,
          statusChangedAtMs: 7,
          membership: 'active',
          logicalVersion: 2,
        },
      ],
      partitions,
      activeVersion: 2,
    };
  }

  transferLeadership(input: TransferInput): Promise<{ leaderId: NodeId; term: number }> {
    if (!input.controller) this.leaderLog(input.topic, input.partition);
    return Promise.resolve({ leaderId: input.targetNodeId === 0 ? self : input.targetNodeId, term: 2 });
  }

  addReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    this.partitionLog(topic, partition);
    this.replicaChanges.push(`add ${topic}/${partition} ${nodeId}`);
    return Promise.resolve();
  }

  removeReplica(topic: string, partition: number, nodeId: NodeId): Promise<void> {
    this.partitionLog(topic, partition);
    this.replicaChanges.push(`remove ${topic}/${partition} ${nodeId}`);
    return Promise.resolve();
  }

  private nextProducerId = 1000;

  initProducer(input: { transactionalId: string }): Promise<{ producerId: number; epoch: number }> {
    this.replicaChanges.push(`init-producer ${input.transactionalId}`);
    return Promise.resolve({ producerId: this.nextProducerId++, epoch: 0 });
  }

  registerNode(nodeId: NodeId, address: string): Promise<void> {
    this.replicaChanges.push(`register ${nodeId} ${address}`);
    return Promise.resolve();
  }

  removeNode(nodeId: NodeId): Promise<{ replicasLeft: number }> {
    if (nodeId === self)
      return Promise.reject(
        new RaftlogError('CLUSTER_TOO_SMALL', `node ${self} is the last live active node`),
      );
    this.replicaChanges.push(`decommission ${nodeId}`);
    return Promise.resolve({ replicasLeft: 0 });
  }

  reassignPartition(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void> {
    this.partitionLog(topic, partition);
    this.replicaChanges.push(`move ${topic}/${partition} ${replicas.join(',')}`);
    return Promise.resolve();
  }

  rebalancePartitions(input: { dryRun: boolean; movesMax: number }): Promise<readonly PartitionMoveView[]> {
    this.replicaChanges.push(`rebalance dryRun=${input.dryRun} movesMax=${input.movesMax}`);
    return Promise.resolve([]);
  }

  /** Transactions need the controller state machine: tests of them run real nodes. */
  readonly transactions: TransactionsApi = noTransactions();

  /** The controller's security commands applied in memory, one index per command. */
  readonly security: SecurityApi = memorySecurity();

  private topicOf(name: string): MemoryTopic {
    const topic = this.topics.get(name);
    if (topic === undefined) throw new RaftlogError('TOPIC_NOT_FOUND', `topic '${name}' does not exist`);
    return topic;
  }

  private leaderLog(topic: string, partition: number): MemoryPartition {
    const log = this.partitionLog(topic, partition);
    const leader = this.leaderElsewhere.get(`${topic}/${partition}`);
    if (leader !== undefined) {
      throw new RaftlogError('NOT_LEADER', `node ${self} does not lead ${topic}/${partition}`, {
        leaderHint: leader,
      });
    }
    return log;
  }

  private partitionView(topic: string, partition: number, log: MemoryPartition): PartitionView {
    const away = this.leaderElsewhere.has(`${topic}/${partition}`);
    return {
      topic,
      partition,
      groupId: partition + 1,
      leaderId: away ? 0 : self,
      term: 1,
      replicas: [self],
      targetReplicas: [],
      inSync: [self],
      learners: [],
      commitIndex: log.batches.length,
      highWatermark: log.nextOffset,
      logStartOffset: 0,
      lastStableOffset: log.nextOffset,
    };
  }
}

function noTransactions(): TransactionsApi {
  const refuse = (): never => {
    throw new RaftlogError('UNIMPLEMENTED', 'the in-memory node has no transaction coordinator');
  };
  return {
    initProducer: () => Promise.reject(new RaftlogError('UNIMPLEMENTED', 'no transactions in memory')),
    addPartitions: () => Promise.resolve(refuse()),
    addOffsets: () => Promise.resolve(refuse()),
    commitOffsets: () => Promise.resolve(refuse()),
    endTxn: () => Promise.resolve(refuse()),
    list: () => [],
    describe: () => [],
    writeMarkers: () => Promise.resolve(refuse()),
  };
}

function memorySecurity(): SecurityApi {
  let state = emptySecurityState();
  let index = 0;
  return {
    state: () => state,
    propose: (command) => {
      const applied = applySecurityCommand(state, command, ++index);
      state = applied.security;
      return Promise.resolve(
        command.type === 'remove-acls' ? { type: 'removed', count: applied.count } : { type: 'done' },
      );
    },
  };
}
