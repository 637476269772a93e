import { askPartitionLeaders } from './ask-partition-leaders.js';
import type { QueueStatsClient } from './queue-stats.js';

/** What deleting a queue group did on one partition. */
export interface QueueGroupDeletion {
  readonly partition: number;
  /** False where it failed for good, QUEUE_GROUP_NOT_FOUND included (the group was not there). */
  readonly ok: boolean;
  /** The error code when not ok. */
  readonly code?: string;
  readonly message?: string;
}

/**
 * Deletes a queue group on every partition of a topic, asking each partition's leader (only a leader
 * can). A partition that answers a retriable error (NOT_LEADER after a leader change) is asked again
 * until `timeoutMs`; a final error is that partition's outcome. In partition order.
 */
export async function deleteQueueGroup(
  client: QueueStatsClient,
  topic: string,
  queue: string,
  timeoutMs = 30_000,
): Promise<QueueGroupDeletion[]> {
  const results = await askPartitionLeaders(
    client,
    topic,
    async (address, partitions) => {
      const r = await client
        .broker(address)
        .deleteQueueGroup({ queue, topic, partitions }, { timeoutMs: 15_000 });
      return r.partitions.map((d) => ({ partition: d.partition, error: d.error, value: undefined }));
    },
    timeoutMs,
  );
  return results.map((r) =>
    r.ok
      ? { partition: r.partition, ok: true }
      : { partition: r.partition, ok: false, code: r.code, message: r.message },
  );
}
