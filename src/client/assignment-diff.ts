import type { TopicPartitionRef } from './types.js';

/** `topic/partition`: the one key format for partition maps and sets in the client. */
export function partitionKey(tp: TopicPartitionRef): string {
  return `${tp.topic}/${tp.partition}`;
}

export interface AssignmentDiff {
  /** Consumed now, missing from the answer: to be released (offsets committed first). */
  readonly revoke: readonly TopicPartitionRef[];
  /** In the answer, not consumed yet: to be started. */
  readonly add: readonly TopicPartitionRef[];
  /** In both: consumed on without a pause. */
  readonly keep: readonly TopicPartitionRef[];
}

/**
 * What a SyncGroup answer means for a member that consumes `consumed`: the incremental step of the
 * group protocol, in which a kept partition is never touched. Each list is sorted by topic, then
 * partition, so callbacks see a stable order.
 */
export function diffAssignment(
  consumed: readonly TopicPartitionRef[],
  answered: readonly TopicPartitionRef[],
): AssignmentDiff {
  const now = new Set(consumed.map(partitionKey));
  const next = new Set(answered.map(partitionKey));
  return {
    revoke: sortPartitions(dedupe(consumed).filter((tp) => !next.has(partitionKey(tp)))),
    add: sortPartitions(dedupe(answered).filter((tp) => !now.has(partitionKey(tp)))),
    keep: sortPartitions(dedupe(consumed).filter((tp) => next.has(partitionKey(tp)))),
  };
}

/** Whether two lists name the same partitions, in any order. */
export function samePartitions(a: readonly TopicPartitionRef[], b: readonly TopicPartitionRef[]): boolean {
  const left = new Set(a.map(partitionKey));
  const right = new Set(b.map(partitionKey));
  return left.size === right.size && [...left].every((k) => right.has(k));
}

export function sortPartitions(list: readonly TopicPartitionRef[]): TopicPartitionRef[] {
  return [...list].sort((x, y) =>
    x.topic === y.topic ? x.partition - y.partition : x.topic < y.topic ? -1 : 1,
  );
}

function dedupe(list: readonly TopicPartitionRef[]): TopicPartitionRef[] {
  const seen = new Map<string, TopicPartitionRef>();
  for (const tp of list) seen.set(partitionKey(tp), { topic: tp.topic, partition: tp.partition });
  return [...seen.values()];
}
