import { RecordBatchView } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import type { PartitionReplica } from './partition-replica.js';
import type { QueueStatsView } from './queue-api.js';

/**
 * A queue group's state on one partition as this replica applied it. Depth counts the unsettled
 * messages plus everything past the scan cursor (control records there count too until scanned).
 */
export async function queueStatsOf(
  replica: PartitionReplica,
  store: PartitionStore,
  queue: string,
  partition: number,
  nowMs: number,
): Promise<QueueStatsView> {
  const sm = replica.state;
  const group = sm.queues.group(queue);
  const cursor = group?.cursor ?? sm.logStartOffset;
  const end = sm.lastStableOffset;
  let inFlight = 0;
  let delayed = 0;
  let oldest = Number.POSITIVE_INFINITY;
  let floor = cursor;
  for (const p of group?.pending() ?? []) {
    if (p.state === 'leased' && p.untilMs > nowMs) inFlight++;
    if (p.state === 'waiting' && p.untilMs > nowMs) delayed++;
    oldest = Math.min(oldest, p.appendTimeMs);
    floor = Math.min(floor, p.offset);
  }
  if (cursor < end) oldest = Math.min(oldest, await timestampAt(replica, store, cursor));
  return {
    partition,
    depth: (group?.pendingCount ?? 0) + Math.max(0, end - cursor),
    inFlight,
    delayed,
    oldestAgeMs: Number.isFinite(oldest) ? Math.max(0, nowMs - oldest) : 0,
    deadLettered: group?.deadLettered ?? 0,
    ackFloor: floor,
    highWatermark: sm.highWatermark,
  };
}

async function timestampAt(
  replica: PartitionReplica,
  store: PartitionStore,
  offset: number,
): Promise<number> {
  if (offset >= replica.storedEnd) return Number.POSITIVE_INFINITY;
  const read = await store.read(replica.partitionKey, offset, 1);
  const bytes = read.batches[0];
  if (bytes === undefined) return Number.POSITIVE_INFINITY;
  for (const record of new RecordBatchView(bytes).records())
    if (record.offset >= offset) return record.timestamp;
  return Number.POSITIVE_INFINITY;
}
