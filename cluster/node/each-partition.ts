import { RaftlogError } from '../../lib/index.js';
import type { PartitionCallOutcome } from './queue-api.js';

/**
 * Runs `each` on the listed partitions of a topic with `count` partitions (none listed: all of them),
 * turning a failure into that partition's outcome, so one partition led elsewhere does not fail the
 * others. `failed` is the result a failed partition carries besides its error. In partition order.
 */
export async function eachPartition<T extends object>(
  topic: string,
  count: number,
  partitions: readonly number[],
  each: (partition: number) => Promise<T>,
  failed: T,
): Promise<(PartitionCallOutcome & T)[]> {
  const listed = partitions.length > 0 ? [...partitions] : [...Array(count).keys()];
  return Promise.all(
    listed
      .sort((a, b) => a - b)
      .map(async (partition): Promise<PartitionCallOutcome & T> => {
        try {
          if (partition >= count) {
            throw new RaftlogError('PARTITION_NOT_FOUND', `topic ${topic} has ${count} partitions`);
          }
          const value = await each(partition);
          return { ...value, partition, code: undefined, message: '', leaderHint: undefined };
        } catch (error) {
          const e = RaftlogError.from(error, 'INTERNAL');
          return { ...failed, partition, code: e.code, message: e.message, leaderHint: e.leaderHint };
        }
      }),
  );
}
