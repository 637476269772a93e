import type { RaftlogError } from '../../lib/index.js';
import type { ErrorDetail } from '../../proto/gen/raftlog/v1/errors_pb.js';
import { delay } from './delay.js';
import { errorFromDetail, toRaftlogError, withoutHint } from './errors.js';
import { partitionsByLeader, type QueueStatsClient } from './queue-stats.js';
import { decideRetry, defaultRetryOptions } from './retry-policy.js';

/** One partition's part of an answer to a call that names several. */
export interface PartitionAnswer<T> {
  readonly partition: number;
  readonly error?: ErrorDetail | undefined;
  readonly value: T;
}

/** What a call did on one partition: its value, or the error it failed with for good. */
export type PartitionResult<T> =
  | { readonly partition: number; readonly ok: true; readonly value: T }
  | { readonly partition: number; readonly ok: false; readonly code: string; readonly message: string };

type Ask<T> = (address: string, partitions: number[]) => Promise<readonly PartitionAnswer<T>[]>;

/**
 * Sends a call about every partition of a topic to each partition's leader (only a leader answers
 * for its partitions). A partition that answers a retriable error (NOT_LEADER after a leader change)
 * is asked again until `timeoutMs`; a final error is that partition's result. In partition order.
 */
export async function askPartitionLeaders<T>(
  client: QueueStatsClient,
  topic: string,
  ask: Ask<T>,
  timeoutMs: number,
): Promise<PartitionResult<T>[]> {
  const deadlineMs = Date.now() + timeoutMs;
  const done = new Map<number, PartitionResult<T>>();
  let pending = [...Array(await client.partitionCount(topic)).keys()];
  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry = await askRound(client, topic, ask, pending, done);
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

/** Records final results in `done`; answers the first retriable error, if any partition has one. */
async function askRound<T>(
  client: QueueStatsClient,
  topic: string,
  ask: Ask<T>,
  partitions: readonly number[],
  done: Map<number, PartitionResult<T>>,
): Promise<RaftlogError | undefined> {
  const byLeader = await partitionsByLeader(client, topic, partitions);
  let retry: RaftlogError | undefined;
  const failed = (partition: number, error: RaftlogError): void => {
    done.set(partition, { partition, ok: false, code: error.code, message: error.message });
  };
  await Promise.all(
    [...byLeader].map(async ([address, ps]) => {
      try {
        for (const answer of await ask(address, ps)) {
          const error = errorFromDetail(answer.error);
          if (error === undefined)
            done.set(answer.partition, { partition: answer.partition, ok: true, value: answer.value });
          else if (error.retriable) {
            client.noteError(topic, answer.partition, error);
            retry ??= error;
          } else failed(answer.partition, error);
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
