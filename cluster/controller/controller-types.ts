import type { ErrorCode, GroupId, NodeId, PartitionId, ProducerId } from '../../lib/index.js';
import type { GroupOffsetsByGroup } from './group-offsets.js';
import type { ConsumerGroups, GroupCommand, GroupOutput } from './group-types.js';
import type { TopicConfig, TopicConfigInput } from './topic-config.js';
import type { SecurityCommand, SecurityState } from './security-types.js';
import type { TransactionalIdInfo, TxnCommand } from './txn-types.js';

export interface NodeInfo {
  readonly id: NodeId;
  /** host:port clients dial (the node's advertised client address). */
  readonly address: string;
  /**
   * host:port other nodes dial (its peer listener); empty when the node registered without one.
   * Nodes that joined after a peer started learn where to reach it from here.
   */
  readonly peerAddress: string;
  /** As last reported to the controller (the host reports liveness; the controller does not probe). */
  readonly alive: boolean;
  readonly registeredAtMs: number;
  readonly statusChangedAtMs: number;
  /**
   * active: placement may use it. draining: being decommissioned, its replicas move away and nothing
   * new lands on it. removed: decommissioned for good; its id is never registered again.
   */
  readonly membership: NodeMembership;
}

export type NodeMembership = 'active' | 'draining' | 'removed';

export interface PartitionAssignment {
  readonly partition: PartitionId;
  /** The Raft group replicating this partition; allocated once, never reused after deletion. */
  readonly groupId: GroupId;
  /** Current voters; the first is the preferred leader. */
  readonly replicas: readonly NodeId[];
  /** Where a pending reassignment is heading (the host runs the joint consensus), or null. */
  readonly targetReplicas: readonly NodeId[] | null;
  /**
   * The voters the group was created with: its configuration at index 0, which its log does not
   * repeat. A replica that joins later starts from it, so the membership changes it replays from
   * the leader's log apply to the configuration they were made against. Absent in states written
   * before it was kept.
   */
  readonly bootstrapReplicas?: readonly NodeId[];
}

export interface TopicInfo {
  readonly name: string;
  readonly replicationFactor: number;
  readonly config: TopicConfig;
  readonly partitions: readonly PartitionAssignment[];
  readonly createdAtMs: number;
}

export type { TransactionalIdInfo } from './txn-types.js';

/**
 * Cluster metadata as every controller replica holds it. Treated as immutable: applying a command
 * returns a new state that shares whatever did not change.
 */
export interface ControllerState {
  /** Raft index of the last applied entry (0 before any). */
  readonly appliedIndex: number;
  readonly nodes: ReadonlyMap<NodeId, NodeInfo>;
  readonly topics: ReadonlyMap<string, TopicInfo>;
  readonly transactionalIds: ReadonlyMap<string, TransactionalIdInfo>;
  /** Consumer groups' committed offsets (plain commits and committed transactions). */
  readonly groupOffsets: GroupOffsetsByGroup;
  /** Consumer groups with members: generation, members, target and owned partitions (group-types.ts). */
  readonly groups: ConsumerGroups;
  /** The next partition group id; only ever grows. */
  readonly nextGroupId: number;
  /** The next producer id to hand out (in blocks or to a transactional id); only ever grows. */
  readonly nextProducerId: number;
  /** Rotating start of placement, so successive topics do not all begin on the same node. */
  readonly placementCursor: number;
  /** Users, ACLs, quotas and the session token key (security-types.ts). */
  readonly security: SecurityState;
  /**
   * The cluster version replicated data may use (logical-version.ts): every member node announced
   * at least this one when it was raised. Starts at 1 and never goes down.
   */
  readonly activeVersion: number;
}

/** One topic to create, as create-topic and create-topics carry it. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly config: TopicConfigInput;
}

/** How one topic of a create-topics batch fared. */
export type TopicCreateResult =
  | { readonly name: string; readonly ok: true; readonly topic: TopicInfo }
  | { readonly name: string; readonly ok: false; readonly code: ErrorCode; readonly message: string };

export type ControllerCommand =
  | {
      readonly type: 'register-node';
      readonly nodeId: number;
      readonly address: string;
      readonly peerAddress?: string;
    }
  | { readonly type: 'set-node-alive'; readonly nodeId: number; readonly alive: boolean }
  | { readonly type: 'unregister-node'; readonly nodeId: number }
  | ({ readonly type: 'create-topic' } & TopicSpec)
  /** Creates many topics, each judged alone: one failing does not stop the others. */
  | { readonly type: 'create-topics'; readonly topics: readonly TopicSpec[] }
  | { readonly type: 'update-topic-config'; readonly name: string; readonly config: TopicConfigInput }
  /** Grows a topic to `partitions` partitions in total. */
  | { readonly type: 'add-partitions'; readonly name: string; readonly partitions: number }
  | { readonly type: 'delete-topic'; readonly name: string }
  | {
      readonly type: 'add-replica';
      readonly topic: string;
      readonly partition: number;
      readonly nodeId: number;
    }
  | {
      readonly type: 'remove-replica';
      readonly topic: string;
      readonly partition: number;
      readonly nodeId: number;
    }
  /** Moves a partition to another replica set of the same size (the host runs the joint consensus). */
  | {
      readonly type: 'reassign-partition';
      readonly topic: string;
      readonly partition: number;
      readonly replicas: readonly number[];
    }
  /** Starts decommissioning a node: it takes no new replicas and its replicas move away. */
  | { readonly type: 'decommission-node'; readonly nodeId: number }
  /** Ends a decommission once the node holds no replica: it is removed for good. */
  | { readonly type: 'finish-node-removal'; readonly nodeId: number }
  /** The host reports that the joint consensus towards `replicas` (the current target) finished. */
  | {
      readonly type: 'complete-reassignment';
      readonly topic: string;
      readonly partition: number;
      readonly replicas: readonly number[];
    }
  | { readonly type: 'allocate-producer-ids'; readonly count: number }
  | {
      readonly type: 'init-transactional-id';
      readonly transactionalId: string;
      readonly transactionTimeoutMs: number;
    }
  /** Forgets transactional ids not initialized for `idleMsMin` (measured on command timestamps). */
  | { readonly type: 'expire-transactional-ids'; readonly idleMsMin: number }
  /** Consumer groups: join, sync, leave, expire-member, commit-offsets, reset-offsets. */
  | { readonly type: 'group'; readonly command: GroupCommand }
  /**
   * Raises the cluster's active version (never lowers it). Version 2: proposed only once every
   * member node announced at least `version`, so no node running an older build meets it.
   */
  | { readonly type: 'raise-active-version'; readonly version: number }
  | TxnCommand
  | SecurityCommand;

export type ControllerCommandType = ControllerCommand['type'];

export type ControllerOutput =
  | { readonly type: 'done' }
  | { readonly type: 'topic'; readonly topic: TopicInfo }
  /** create-topics: one result per requested topic, in request order. */
  | { readonly type: 'topics-created'; readonly results: readonly TopicCreateResult[] }
  | { readonly type: 'topic-deleted'; readonly groupIds: readonly GroupId[] }
  | { readonly type: 'assignment'; readonly topic: string; readonly assignment: PartitionAssignment }
  | { readonly type: 'producer-ids'; readonly firstProducerId: ProducerId; readonly count: number }
  | { readonly type: 'producer-epoch'; readonly producerId: ProducerId; readonly epoch: number }
  | { readonly type: 'expired'; readonly count: number }
  | { readonly type: 'group'; readonly output: GroupOutput }
  /** remove-acls: how many of the rules existed. */
  | { readonly type: 'removed'; readonly count: number };

export type ControllerResult =
  | { readonly ok: true; readonly output: ControllerOutput }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/** Supplied by the host with each committed entry: its index and the timestamp the leader stamped. */
export interface ApplyContext {
  readonly index: number;
  readonly timestampMs: number;
}

export interface ControllerLimits {
  readonly nodesMax: number;
  readonly topicsMax: number;
  readonly partitionsPerTopicMax: number;
  readonly partitionsTotalMax: number;
  readonly topicsPerBatchMax: number;
  readonly partitionsPerBatchMax: number;
  readonly replicationFactorMax: number;
  readonly producerIdBlockSizeMax: number;
  readonly transactionalIdsMax: number;
  readonly transactionalIdCharsMax: number;
  readonly transactionTimeoutMsMin: number;
  readonly transactionTimeoutMsMax: number;
  readonly addressCharsMax: number;
}

/**
 * Fixed in code rather than configured per node: every replica must reject the same commands, so the
 * limits cannot differ between them.
 */
export const controllerLimits: ControllerLimits = {
  nodesMax: 1_000,
  topicsMax: 10_000,
  partitionsPerTopicMax: 10_000,
  partitionsTotalMax: 100_000,
  // A batch is one controller entry: these keep it, and the time one apply holds the log, bounded.
  topicsPerBatchMax: 1_000,
  partitionsPerBatchMax: 10_000,
  replicationFactorMax: 7,
  producerIdBlockSizeMax: 100_000,
  transactionalIdsMax: 1_000_000,
  transactionalIdCharsMax: 255,
  transactionTimeoutMsMin: 1_000,
  transactionTimeoutMsMax: 15 * 60 * 1000,
  addressCharsMax: 255,
};

/** Group 0 is the controller's own Raft group; partition groups start at 1. */
export const controllerGroupIdValue = 0;
export const firstPartitionGroupId = 1;
/** Group ids travel as u32 in storage keys. */
export const groupIdMax = 0xffff_ffff;
/** Node ids are positive (0 means "no vote" in Raft) and travel as u32. */
export const nodeIdMax = 0xffff_ffff;
/** Producer epochs are int16 in the RecordBatch header. */
export const producerEpochMax = 0x7fff;
export const producerIdBlockSizeDefault = 1000;
