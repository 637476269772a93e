import type {
  ClusterStatusResponse,
  PartitionStatus as WirePartitionStatus,
  TopicDescription as WireTopicDescription,
  TopicSummary as WireTopicSummary,
} from '../../proto/gen/raftlog/v1/admin_pb.js';
import { CleanupPolicy, type TopicConfig as WireTopicConfig } from '../../proto/gen/raftlog/v1/topic_pb.js';
import { errorFromDetail } from './errors.js';

export interface TopicSummary {
  readonly name: string;
  readonly partitions: number;
  readonly replicationFactor: number;
}

export interface TopicSettings {
  readonly retentionMs?: number;
  readonly retentionBytes?: number;
  readonly cleanupPolicy?: 'delete' | 'compact';
  readonly maxMessageBytes?: number;
}

export interface PartitionStatus {
  readonly topic: string;
  readonly partition: number;
  /** 0 when the partition has no leader. */
  readonly leader: number;
  readonly term: number;
  readonly replicas: readonly number[];
  readonly inSync: readonly number[];
  readonly learners: readonly number[];
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
}

export interface ClusterStatus {
  readonly clusterId: string;
  readonly controller: {
    readonly leader: number;
    readonly term: number;
    readonly commitIndex: number;
    readonly voters: readonly number[];
  };
  readonly nodes: readonly NodeInfo[];
  readonly partitions: readonly PartitionStatus[];
}

export function toTopicSummary(t: WireTopicSummary): TopicSummary {
  return { name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor };
}

export function toTopicSettings(c: WireTopicConfig | undefined): TopicSettings {
  if (c === undefined) return {};
  const policy =
    c.cleanupPolicy === CleanupPolicy.COMPACT
      ? 'compact'
      : c.cleanupPolicy === CleanupPolicy.DELETE
        ? 'delete'
        : undefined;
  return {
    ...(c.retentionMs === undefined ? {} : { retentionMs: Number(c.retentionMs) }),
    ...(c.retentionBytes === undefined ? {} : { retentionBytes: Number(c.retentionBytes) }),
    ...(policy === undefined ? {} : { cleanupPolicy: policy }),
    ...(c.maxMessageBytes === undefined ? {} : { maxMessageBytes: c.maxMessageBytes }),
  };
}

export function toWireTopicConfig(s: TopicSettings) {
  return {
    ...(s.retentionMs === undefined ? {} : { retentionMs: BigInt(s.retentionMs) }),
    ...(s.retentionBytes === undefined ? {} : { retentionBytes: BigInt(s.retentionBytes) }),
    ...(s.maxMessageBytes === undefined ? {} : { maxMessageBytes: s.maxMessageBytes }),
    cleanupPolicy:
      s.cleanupPolicy === 'compact'
        ? CleanupPolicy.COMPACT
        : s.cleanupPolicy === 'delete'
          ? CleanupPolicy.DELETE
          : CleanupPolicy.UNSPECIFIED,
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

export function toClusterStatus(r: ClusterStatusResponse): ClusterStatus {
  const c = r.controller;
  return {
    clusterId: r.clusterId,
    controller: {
      leader: c?.leaderId ?? 0,
      term: Number(c?.term ?? 0n),
      commitIndex: Number(c?.commitIndex ?? 0n),
      voters: [...(c?.voters ?? [])],
    },
    nodes: r.nodes.map((n) => ({
      id: n.nodeId,
      address: n.address,
      alive: n.alive,
      replicas: n.replicas,
      leaders: n.leaders,
      metricsUrl: n.metricsUrl,
    })),
    partitions: r.partitions.map(toPartitionStatus),
  };
}
