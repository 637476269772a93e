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

/**
 * One view from the answers of several nodes. A node cut off from its peers still answers with what
 * it last knew, so each partition takes the view with the highest leader term that names a leader:
 * a newer election beats a deposed leader's (or a non-replica's guess, term 0). Brokers and topics
 * are the union of the answers.
 */
export function mergeClusterMetadata(answers: readonly ClusterMetadata[]): ClusterMetadata {
  const first = answers[0];
  if (first === undefined) throw new Error('mergeClusterMetadata needs at least one answer');
  const brokers = new Map<number, string>();
  const topics = new Map<string, TopicInfo>();
  for (const meta of answers) {
    for (const [id, address] of meta.brokers) if (!brokers.has(id)) brokers.set(id, address);
    for (const [name, topic] of meta.topics) {
      const known = topics.get(name);
      topics.set(name, known === undefined ? topic : mergeTopic(known, topic));
    }
  }
  const controller = answers.find((m) => m.controllerId !== 0) ?? first;
  return { ...first, controllerId: controller.controllerId, brokers, topics };
}

function mergeTopic(a: TopicInfo, b: TopicInfo): TopicInfo {
  const count = Math.max(a.partitions.length, b.partitions.length);
  const partitions = Array.from({ length: count }, (_, i) => {
    const x = a.partitions[i];
    const y = b.partitions[i];
    if (x === undefined || y === undefined) return (x ?? y) as PartitionInfo;
    return rank(y) > rank(x) ? y : x;
  });
  return { name: a.name, partitions };
}

/** A named leader first, then the newer term. */
function rank(p: PartitionInfo): number {
  return (p.leaderId === 0 ? 0 : 2 ** 40) + p.leaderTerm;
}
