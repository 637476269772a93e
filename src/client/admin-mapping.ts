import {
  NodeMembership as WireNodeMembership,
  type ClusterStatusResponse,
  type PartitionMove as WirePartitionMove,
  type PartitionStatus as WirePartitionStatus,
  type TopicDescription as WireTopicDescription,
  type TopicSummary as WireTopicSummary,
} from '../../proto/gen/raftlog/v1/admin_pb.js';
import { CleanupPolicy, type TopicConfig as WireTopicConfig } from '../../proto/gen/raftlog/v1/topic_pb.js';
import { errorFromDetail } from './errors.js';

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

export type CleanupPolicyName = 'delete' | 'compact' | 'compact,delete';

export interface TopicSettings {
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly cleanupPolicy?: CleanupPolicyName;
  readonly maxMessageBytes?: number;
  readonly minInsyncReplicas?: number;
  readonly deleteRetentionMs?: number;
  readonly minCompactionLagMs?: number;
  /** Queue consumption: how long a lease lasts unless the consumer asks otherwise. */
  readonly queueVisibilityTimeoutMs?: number;
  /** Queue consumption: deliveries before a message is dead-lettered; 0 never dead-letters. */
  readonly queueMaxDeliveries?: number;
  /** Queue consumption: where dead-lettered messages go; '' drops them. */
  readonly queueDeadLetterTopic?: string;
  /** Queue consumption: a message older than this is never leased again; 0 never expires. */
  readonly queueMessageTtlMs?: number;
  /** Queue consumption: expired messages are dead-lettered instead of dropped. */
  readonly queueDeadLetterExpired?: boolean;
  /** Queue consumption: per-key order (no lease while an earlier message of the key is pending). */
  readonly queueOrderedByKey?: boolean;
}

const cleanupPolicies: readonly (readonly [CleanupPolicy, CleanupPolicyName])[] = [
  [CleanupPolicy.DELETE, 'delete'],
  [CleanupPolicy.COMPACT, 'compact'],
  [CleanupPolicy.COMPACT_DELETE, 'compact,delete'],
];

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** 0 when the partition has no leader. */
  readonly leader: number;
  readonly term: number;
  readonly replicas: readonly number[];
  readonly inSync: readonly number[];
  readonly learners: readonly number[];
  /** Where a pending move is heading; empty when none is. */
  readonly targetReplicas: readonly number[];
  readonly commitIndex: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** The error code when the status could not be read (LEADER_NOT_AVAILABLE…). */
  readonly error?: string;
}

export interface TopicDetails extends TopicSummary {
  readonly config: TopicSettings;
  readonly partitionStatus: readonly PartitionStatus[];
  readonly createdAtMs: number;
}

export interface NodeInfo {
  readonly id: number;
  readonly address: string;
  readonly alive: boolean;
  readonly replicas: number;
  readonly leaders: number;
  /** The node's Prometheus endpoint as the node reports it; empty when it serves none or was not asked. */
  readonly metricsUrl: string;
  /** active, draining (being decommissioned) or removed. */
  readonly membership: NodeMembershipName;
  /**
   * The highest cluster version the node's build reads, as the node reports it (`clusterStatus`
   * asks every live node) or, failing that, as the answering node heard it; 0 when unknown.
   */
  readonly logicalVersion: number;
}

export type NodeMembershipName = 'active' | 'draining' | 'removed' | 'unknown';

/** One partition's move, as planned or started. */
export interface PartitionMove {
  readonly topic: string;
  readonly partition: number;
  readonly from: readonly number[];
  readonly to: readonly number[];
}

export interface ClusterStatus {
  readonly clusterId: string;
  readonly controller: {
    readonly leader: number;
    readonly term: number;
    readonly commitIndex: number;
    readonly voters: readonly number[];
    /** Nodes that follow the controller's log without a vote. */
    readonly learners: readonly number[];
  };
  readonly nodes: readonly NodeInfo[];
  readonly partitions: readonly PartitionStatus[];
  /**
   * What replicated data may use: raised by the controller once every node runs a build of that
   * version, never lowered. 0 from a server too old to say.
   */
  readonly activeVersion: number;
}

export function toTopicSummary(t: WireTopicSummary): TopicSummary {
  return { name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor };
}

export function toTopicSettings(c: WireTopicConfig | undefined): TopicSettings {
  if (c === undefined) return {};
  const policy = cleanupPolicies.find(([wire]) => wire === c.cleanupPolicy)?.[1];
  const num = (v: bigint | number | undefined) => (v === undefined ? undefined : Number(v));
  return withoutUndefined({
    retentionMs: num(c.retentionMs),
    retentionBytes: num(c.retentionBytes),
    cleanupPolicy: policy,
    maxMessageBytes: c.maxMessageBytes,
    minInsyncReplicas: c.minInsyncReplicas,
    deleteRetentionMs: num(c.deleteRetentionMs),
    minCompactionLagMs: num(c.minCompactionLagMs),
    queueVisibilityTimeoutMs: c.queueVisibilityTimeoutMs,
    queueMaxDeliveries: c.queueMaxDeliveries,
    queueDeadLetterTopic: c.queueDeadLetterTopic,
    queueMessageTtlMs: num(c.queueMessageTtlMs),
    queueDeadLetterExpired: c.queueDeadLetterExpired,
    queueOrderedByKey: c.queueOrderedByKey,
  });
}

export function toWireTopicConfig(s: TopicSettings) {
  const big = (v: number | undefined) => (v === undefined ? undefined : BigInt(v));
  return {
    ...withoutUndefined({
      retentionMs: big(s.retentionMs),
      retentionBytes: big(s.retentionBytes),
      maxMessageBytes: s.maxMessageBytes,
      minInsyncReplicas: s.minInsyncReplicas,
      deleteRetentionMs: big(s.deleteRetentionMs),
      minCompactionLagMs: big(s.minCompactionLagMs),
      queueVisibilityTimeoutMs: s.queueVisibilityTimeoutMs,
      queueMaxDeliveries: s.queueMaxDeliveries,
      queueDeadLetterTopic: s.queueDeadLetterTopic,
      queueMessageTtlMs: big(s.queueMessageTtlMs),
      queueDeadLetterExpired: s.queueDeadLetterExpired,
      queueOrderedByKey: s.queueOrderedByKey,
    }),
    cleanupPolicy:
      cleanupPolicies.find(([, name]) => name === s.cleanupPolicy)?.[0] ?? CleanupPolicy.UNSPECIFIED,
  };
}

/** Drops the keys whose value is undefined, as optional properties must be absent, not undefined. */
function withoutUndefined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

export function toPartitionStatus(p: WirePartitionStatus): PartitionStatus {
  const error = errorFromDetail(p.error);
  return {
    topic: p.topic,
    partition: p.partition,
    leader: p.leaderId,
    term: Number(p.term),
    replicas: [...p.replicas],
    inSync: [...p.inSync],
    learners: [...p.learners],
    targetReplicas: [...p.targetReplicas],
    commitIndex: Number(p.commitIndex),
    highWatermark: Number(p.highWatermark),
    logStartOffset: Number(p.logStartOffset),
    ...(error === undefined ? {} : { error: error.code }),
  };
}

export function toTopicDetails(t: WireTopicDescription): TopicDetails {
  return {
    name: t.name,
    partitions: t.partitions,
    replicationFactor: t.replicationFactor,
    config: toTopicSettings(t.config),
    partitionStatus: t.partitionStatus.map(toPartitionStatus),
    createdAtMs: Number(t.createdAtMs),
  };
}

const membershipName: Partial<Record<WireNodeMembership, NodeMembershipName>> = {
  [WireNodeMembership.ACTIVE]: 'active',
  [WireNodeMembership.DRAINING]: 'draining',
  [WireNodeMembership.REMOVED]: 'removed',
};

export function toPartitionMove(m: WirePartitionMove): PartitionMove {
  return { topic: m.topic, partition: m.partition, from: [...m.replicasFrom], to: [...m.replicasTo] };
}

export function toClusterStatus(r: ClusterStatusResponse): ClusterStatus {
  const c = r.controller;
  return {
    clusterId: r.clusterId,
    controller: {
      leader: c?.leaderId ?? 0,
      term: Number(c?.term ?? 0n),
      commitIndex: Number(c?.commitIndex ?? 0n),
      voters: [...(c?.voters ?? [])],
      learners: [...(c?.learners ?? [])],
    },
    nodes: r.nodes.map((n) => ({
      id: n.nodeId,
      address: n.address,
      alive: n.alive,
      replicas: n.replicas,
      leaders: n.leaders,
      membership: membershipName[n.membership] ?? 'unknown',
      metricsUrl: n.metricsUrl,
      logicalVersion: n.logicalVersion,
    })),
    partitions: r.partitions.map(toPartitionStatus),
    activeVersion: r.activeVersion,
  };
}
