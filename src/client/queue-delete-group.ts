import type { RaftlogError } from '../../lib/index.js';
import { delay } from './delay.js';
import { errorFromDetail, toRaftlogError, withoutHint } from './errors.js';
import { decideRetry, defaultRetryOptions } from './retry-policy.js';
import { partitionsByLeader, type QueueStatsClient } from './queue-stats.js';

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
  const deadlineMs = Date.now() + timeoutMs;
  const done = new Map<number, QueueGroupDeletion>();
  let pending = [...Array(await client.partitionCount(topic)).keys()];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry = await deletionRound(client, topic, queue, pending, done);
    pending = pending.filter((p) => !done.has(p));
    if (pending.length === 0 || retry === undefined) continue;
    const decision = decideRetry(retry, attempt, Date.now(), deadlineMs, defaultRetryOptions);
    if (!decision.retry) {
      for (const p of pending)
        done.set(p, { partition: p, ok: false, code: retry.code, message: retry.message });
      break;
    }
    await delay(decision.delayMs);
  }
  return [...done.values()].sort((a, b) => a.partition - b.partition);
}

/** Records final outcomes in `done`; answers the first retriable error, if any partition has one. */
async function deletionRound(
  client: QueueStatsClient,
  topic: string,
  queue: string,
  partitions: readonly number[],
  done: Map<number, QueueGroupDeletion>,
): Promise<ReturnType<typeof toRaftlogError> | undefined> {
  const byLeader = await partitionsByLeader(client, topic, partitions);
  let retry: ReturnType<typeof toRaftlogError> | undefined;
  const failed = (partition: number, error: RaftlogError): void => {
    done.set(partition, { partition, ok: false, code: error.code, message: error.message });
  };
  await Promise.all(
    [...byLeader].map(async ([address, ps]) => {
      try {
        const r = await client
          .broker(address)
          .deleteQueueGroup({ queue, topic, partitions: ps }, { timeoutMs: 15_000 });
        for (const d of r.partitions) {
          const error = errorFromDetail(d.error);
          if (error === undefined) done.set(d.partition, { partition: d.partition, ok: true });
          else if (error.retriable) {
            client.noteError(topic, d.partition, error);
            retry ??= error;
          } else failed(d.partition, error);
        }
      } catch (thrown) {
        const error = toRaftlogError(thrown);
        for (const p of ps) client.noteError(topic, p, ps.length === 1 ? error : withoutHint(error));
        if (!error.retriable) for (const p of ps) failed(p, error);
        else retry ??= error;
      }
    }),
  );
  return retry;
}
