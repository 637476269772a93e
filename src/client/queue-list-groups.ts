import { askPartitionLeaders, type PartitionResult } from './ask-partition-leaders.js';
import type { QueueStatsClient } from './queue-stats.js';

/** The queue groups of one partition (sorted), or why its leader could not say. */
export type QueuePartitionGroups = PartitionResult<readonly string[]>;

/**
 * The queue groups on every partition of a topic, asking each partition's leader. A partition that
 * answers a retriable error is asked again until `timeoutMs`; a final error is that partition's
 * result. In partition order.
 */
export function listQueueGroups(
  client: QueueStatsClient,
  topic: string,
  timeoutMs = 30_000,
): Promise<QueuePartitionGroups[]> {
  return askPartitionLeaders(
    client,
    topic,
    async (address, partitions) => {
      const r = await client.broker(address).listQueueGroups({ topic, partitions }, { timeoutMs: 10_000 });
      return r.partitions.map((p) => ({ partition: p.partition, error: p.error, value: p.queues }));
    },
    timeoutMs,
  );
}

/** Each group with the partitions that hold it, by name. */
export function partitionsByGroup(listing: readonly QueuePartitionGroups[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const p of listing) {
    if (!p.ok) continue;
    for (const q of p.value) groups.set(q, [...(groups.get(q) ?? []), p.partition]);
  }
  return new Map([...groups].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
