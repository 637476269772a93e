import type { NodeId, RaftlogError } from '../../lib/index.js';
import type {
  ControllerOutput,
  NodeMembership,
  SecurityCommand,
  SecurityState,
  TopicConfig,
  TopicConfigInput,
} from '../controller/index.js';
import type { AbortedTransaction, Acks } from '../partition/index.js';
import type { GroupApi } from './group-api.js';
import type { QueueApi } from './queue-api.js';
import type { TransactionsApi } from './txn-api.js';

/**
 * What a running node offers to its gRPC services (src/server). Every method throws RaftlogError:
 * NOT_LEADER carries the leader's client address as its hint, TOPIC_NOT_FOUND and
 * PARTITION_NOT_FOUND name what is missing, TIMEOUT when the wanted durability was not reached in time.
 */
export interface NodeApi {
  readonly nodeId: NodeId;
  readonly clusterId: string;
  /** Consumer groups (group-api.ts). */
  readonly groups: GroupApi;
  /** Queue consumption: leases, acks and stats on the partitions this node leads (queue-api.ts). */
  readonly queues: QueueApi;

  /** Appends one RecordBatch (base offset 0) to a partition this node leads. */
  produce(request: ProduceInput): Promise<ProduceOutcome>;
  /** Reads stored batches from `offset` up to the visible end, at least one batch if any. */
  fetch(request: FetchInput): Promise<FetchOutcome>;
  /** Resolves when the partition's visible end passes `offset`, on abort, or after `timeoutMs`. */
  waitForData(
    topic: string,
    partition: number,
    offset: number,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<void>;
  listOffset(request: ListOffsetInput): Promise<{ offset: number; timestampMs: number }>;
  metadata(topics: readonly string[]): MetadataView;
  /**
   * A producer id for idempotent appends; with a transactional id, that id's producer with its epoch
   * bumped (which fences any older producer using it).
   */
  initProducer(input: InitProducerInput): Promise<{ producerId: number; epoch: number }>;

  createTopic(input: CreateTopicInput): Promise<TopicView>;
  /**
   * Creates many topics in one controller command, each judged alone: one result per input, in
   * order. Only a batch beyond its limits or an unreachable controller fails the whole call.
   */
  createTopics(inputs: readonly CreateTopicInput[], validateOnly: boolean): Promise<TopicCreateOutcome[]>;
  deleteTopic(name: string): Promise<void>;
  listTopics(): readonly TopicView[];
  describeTopic(name: string): TopicView;
  updateTopicConfig(name: string, config: TopicConfigInput): Promise<TopicConfig>;
  createPartitions(name: string, partitions: number): Promise<void>;
  clusterStatus(options: { omitPartitions: boolean }): ClusterStatusView;
  /** Moves leadership of a partition (or of the controller) to `targetNodeId` (0: any caught-up replica). */
  transferLeadership(input: TransferInput): Promise<{ leaderId: NodeId; term: number }>;
  addReplica(topic: string, partition: number, nodeId: NodeId): Promise<void>;
  removeReplica(topic: string, partition: number, nodeId: NodeId): Promise<void>;
  /** AddNode: registers a node (or its new client address) with the controller. */
  registerNode(nodeId: NodeId, address: string, peerAddress?: string): Promise<void>;
  /**
   * RemoveNode: starts decommissioning a node (its replicas move away, then it leaves the controller
   * and is marked removed); CLUSTER_TOO_SMALL when that would leave a topic or the controller short.
   */
  removeNode(nodeId: NodeId): Promise<{ replicasLeft: number }>;
  /** Moves a partition to another replica set of the same size. */
  reassignPartition(topic: string, partition: number, replicas: readonly NodeId[]): Promise<void>;
  /** Plans an even spread of replicas over the active nodes and, unless `dryRun`, starts the moves. */
  rebalancePartitions(input: { dryRun: boolean; movesMax: number }): Promise<readonly PartitionMoveView[]>;
  /** Transactions: the coordinator's RPCs, listing, and the partition side of marker writes. */
  readonly transactions: TransactionsApi;
  /** Users, ACLs, quotas and the token key, kept by the controller. */
  readonly security: SecurityApi;
}

export interface SecurityApi {
  /** As this node's controller replica has applied it (so a change shows here once applied here). */
  state(): SecurityState;
  /** Through the controller leader; resolves once this node's replica has applied it. */
  propose(command: SecurityCommand): Promise<ControllerOutput>;
}

export interface ProduceInput {
  readonly topic: string;
  readonly partition: number;
  readonly batch: Uint8Array;
  readonly acks: Acks;
  /** 0: the node's default. */
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The producer's transactional id, for a batch with the transactional bit. */
  readonly transactionalId?: string;
}

export interface InitProducerInput {
  /** Empty for an idempotent-only producer. */
  readonly transactionalId: string;
  /** 0: the default. */
  readonly transactionTimeoutMs: number;
}

export interface ProduceOutcome {
  /** -1 when acks=none answered before the offset was assigned. */
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly logAppendTimeMs: number;
  readonly logStartOffset: number;
  readonly acksAchieved: Acks;
  readonly replicasFsynced: number;
  readonly replicasTotal: number;
  readonly duplicate: boolean;
}

export interface FetchInput {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly bytesMax: number;
  readonly isolation: 'read-uncommitted' | 'read-committed';
  /** Served by any replica from what it has stored (a gap fill), not only by the leader. */
  readonly replicaRead?: boolean;
}

/**
 * A Fetch carrying this header (value "1") is a replica read: any replica of the partition answers
 * from the committed data it has stored, as Kafka's follower fetching does.
 */
export const replicaReadHeader = 'raftlog-replica-read';

export interface FetchOutcome {
  /** Whole stored RecordBatches, concatenated as stored. */
  readonly records: Uint8Array;
  readonly nextOffset: number;
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
  readonly abortedTransactions: readonly AbortedTransaction[];
}

export interface ListOffsetInput {
  readonly topic: string;
  readonly partition: number;
  readonly spec: 'earliest' | 'latest' | 'timestamp';
  readonly timestampMs: number;
  readonly isolation: 'read-uncommitted' | 'read-committed';
}

export interface BrokerView {
  readonly nodeId: NodeId;
  readonly address: string;
  /** Where nodes dial its peer listener; empty when unknown. */
  readonly peerAddress: string;
  readonly alive: boolean;
}

export interface PartitionView {
  readonly topic: string;
  readonly partition: number;
  readonly groupId: number;
  /** 0 when unknown to this node. */
  readonly leaderId: NodeId | 0;
  readonly term: number;
  readonly replicas: readonly NodeId[];
  readonly inSync: readonly NodeId[];
  readonly learners: readonly NodeId[];
  /** Where a pending move is heading; empty when none is. */
  readonly targetReplicas: readonly NodeId[];
  readonly commitIndex: number;
  /** -1 when this node does not host the partition. */
  readonly highWatermark: number;
  readonly logStartOffset: number;
  readonly lastStableOffset: number;
}

export interface TopicView {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: TopicConfig;
  readonly createdAtMs: number;
  readonly partitionViews: readonly PartitionView[];
}

export interface MetadataView {
  readonly clusterId: string;
  readonly brokers: readonly BrokerView[];
  readonly controllerId: NodeId | 0;
  /** Requested topics (all when none requested); a missing requested topic is `{name, missing: true}`. */
  readonly topics: readonly (TopicView | { readonly name: string; readonly missing: true })[];
}

export interface PartitionMoveView {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly NodeId[];
  readonly to: readonly NodeId[];
}

export interface ClusterStatusView {
  readonly clusterId: string;
  readonly controller: {
    leaderId: NodeId | 0;
    term: number;
    commitIndex: number;
    voters: readonly NodeId[];
    learners: readonly NodeId[];
  };
  readonly nodes: readonly (BrokerView & {
    replicas: number;
    leaders: number;
    statusChangedAtMs: number;
    membership: NodeMembership;
    /** Its own for this node; what it announced on this node's link to it, or 0 when not connected. */
    logicalVersion: number;
  })[];
  readonly partitions: readonly PartitionView[];
  /** The cluster's active version as this node's controller replica has applied it. */
  readonly activeVersion: number;
}

export interface CreateTopicInput {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: TopicConfigInput;
  readonly validateOnly: boolean;
}

/** One topic of a batch create: the topic, or why it was not created. */
export type TopicCreateOutcome =
  | { readonly name: string; readonly topic: TopicView }
  | { readonly name: string; readonly error: RaftlogError };

export interface TransferInput {
  readonly topic: string;
  readonly partition: number;
  readonly controller: boolean;
  readonly targetNodeId: NodeId | 0;
}
