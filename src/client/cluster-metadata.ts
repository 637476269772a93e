import type { MetadataResponse } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { errorFromDetail } from './errors.js';

export interface PartitionInfo {
  readonly partition: number;
  /** 0 when the partition has no leader right now. */
  readonly leaderId: number;
  readonly leaderTerm: number;
  readonly replicas: readonly number[];
  readonly inSyncReplicas: readonly number[];
}

export interface TopicInfo {
  readonly name: string;
  readonly partitions: readonly PartitionInfo[];
}

/** A snapshot of the cluster as the Metadata call describes it, with bigints made numbers. */
export interface ClusterMetadata {
  readonly clusterId: string;
  readonly controllerId: number;
  readonly brokers: ReadonlyMap<number, string>;
  readonly topics: ReadonlyMap<string, TopicInfo>;
  readonly fetchedAtMs: number;
}

export function toClusterMetadata(response: MetadataResponse, nowMs: number): ClusterMetadata {
  const brokers = new Map(response.brokers.map((b) => [b.nodeId, b.address] as const));
  const topics = new Map<string, TopicInfo>();
  for (const t of response.topics) {
    if (errorFromDetail(t.error) !== undefined) continue;
    const partitions = t.partitions
      .map((p) => ({
        partition: p.partition,
        leaderId: errorFromDetail(p.error) === undefined ? p.leaderId : 0,
        leaderTerm: Number(p.leaderTerm),
        replicas: [...p.replicas],
        inSyncReplicas: [...p.inSyncReplicas],
      }))
      .sort((a, b) => a.partition - b.partition);
    topics.set(t.name, { name: t.name, partitions });
  }
  return {
    clusterId: response.clusterId,
    controllerId: response.controllerId,
    brokers,
    topics,
    fetchedAtMs: nowMs,
  };
}

/** The leader's client address, or undefined when there is no leader or its address is unknown. */
export function leaderAddressOf(meta: ClusterMetadata, topic: string, partition: number): string | undefined {
  const info = meta.topics.get(topic)?.partitions[partition];
  if (info === undefined || info.leaderId === 0) return undefined;
  return meta.brokers.get(info.leaderId);
}
