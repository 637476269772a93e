import type { ClusterStatusResponse, PartitionStatus } from '../../proto/gen/raftlog/v1/admin_pb.js';

/**
 * A node knows the replication state (in-sync set, commit, watermarks) only of the partitions it
 * leads. Merging the answers of every node, each partition is taken from the node that leads it in
 * the highest term, so one status shows the whole cluster as its leaders see it.
 */
export function mergeClusterStatus(
  base: ClusterStatusResponse,
  answers: readonly { readonly nodeId: number; readonly status: ClusterStatusResponse }[],
): ClusterStatusResponse {
  const key = (p: PartitionStatus): string => `${p.topic}\u0000${p.partition}`;
  const fromLeaders = new Map<string, PartitionStatus>();
  for (const { nodeId, status } of answers) {
    for (const p of status.partitions) {
      if (p.leaderId !== nodeId) continue;
      const seen = fromLeaders.get(key(p));
      if (seen === undefined || p.term > seen.term) fromLeaders.set(key(p), p);
    }
  }
  return { ...base, partitions: base.partitions.map((p) => fromLeaders.get(key(p)) ?? p) };
}
