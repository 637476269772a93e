import type { ClusterStatusResponse, PartitionStatus } from '../../proto/gen/raftlog/v1/admin_pb.js';

/** What one node answered about some partitions. */
export interface NodeAnswer {
  readonly nodeId: number;
  readonly partitions: readonly PartitionStatus[];
}

/**
 * A node knows the replication state (in-sync set, commit, watermarks) only of the partitions it
 * leads. Each partition is taken from the node that leads it in the highest term, so a status or a
 * topic description shows the cluster as its leaders see it, both computed the same way.
 */
export function mergeFromLeaders(
  base: readonly PartitionStatus[],
  answers: readonly NodeAnswer[],
): PartitionStatus[] {
  const key = (p: PartitionStatus): string => `${p.topic}\u0000${p.partition}`;
  const fromLeaders = new Map<string, PartitionStatus>();
  for (const { nodeId, partitions } of answers) {
    for (const p of partitions) {
      if (p.leaderId !== nodeId) continue;
      const seen = fromLeaders.get(key(p));
      if (seen === undefined || p.term > seen.term) fromLeaders.set(key(p), p);
    }
  }
  return base.map((p) => fromLeaders.get(key(p)) ?? p);
}

export function mergeClusterStatus(
  base: ClusterStatusResponse,
  answers: readonly { readonly nodeId: number; readonly status: ClusterStatusResponse }[],
): ClusterStatusResponse {
  const partitions = mergeFromLeaders(
    base.partitions,
    answers.map((a) => ({ nodeId: a.nodeId, partitions: a.status.partitions })),
  );
  return { ...base, partitions };
}
