import type { TopicPartitionRef } from './group-types.js';
import { toPartitionSet, type PartitionSet } from './partition-set.js';
import type { AssignorMember } from './sticky-assignor.js';

/**
 * Kafka's range assignor: per topic, its subscribers in member-id order get contiguous ranges of its
 * partitions, the first (partitions mod subscribers) of them one more than the rest. Pure and
 * deterministic; it ignores the current targets, so a join or leave may move many partitions (the
 * owned sets still hand each over only once its owner released it).
 */
export function assignRange(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, PartitionSet> {
  const sorted = sortedById(members);
  const result = new Map<string, TopicPartitionRef[]>(sorted.map((m) => [m.memberId, []]));
  for (const [topic, count] of sortedTopics(partitionCounts)) {
    const subscribers = sorted.filter((m) => m.topics.includes(topic));
    if (subscribers.length === 0) continue;
    const share = Math.floor(count / subscribers.length);
    const extra = count % subscribers.length;
    let next = 0;
    subscribers.forEach((m, i) => {
      const list = result.get(m.memberId) as TopicPartitionRef[];
      for (let n = share + (i < extra ? 1 : 0); n > 0; n--) list.push({ topic, partition: next++ });
    });
  }
  return new Map([...result].map(([id, set]) => [id, toPartitionSet(set)]));
}

export function sortedById(members: readonly AssignorMember[]): AssignorMember[] {
  return [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0));
}

/** Topics with at least one partition, by name. */
export function sortedTopics(partitionCounts: ReadonlyMap<string, number>): [string, number][] {
  return [...partitionCounts]
    .filter(([, count]) => count > 0)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
