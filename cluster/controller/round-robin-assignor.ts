import type { TopicPartitionRef } from './group-types.js';
import { toPartitionSet, type PartitionSet } from './partition-set.js';
import { sortedById, sortedTopics } from './range-assignor.js';
import type { AssignorMember } from './sticky-assignor.js';

/**
 * Kafka's round-robin assignor: every partition of the subscribed topics, by topic then partition,
 * goes to the next member in member-id order, going round and skipping members not subscribed to
 * its topic. Pure and deterministic; like range, it ignores the current targets.
 */
export function assignRoundRobin(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, PartitionSet> {
  const sorted = sortedById(members);
  const result = new Map<string, TopicPartitionRef[]>(sorted.map((m) => [m.memberId, []]));
  let turn = 0;
  const next = (topic: string): AssignorMember => {
    for (;;) {
      const m = sorted[turn++ % sorted.length] as AssignorMember;
      if (m.topics.includes(topic)) return m;
    }
  };
  for (const [topic, count] of sortedTopics(partitionCounts)) {
    if (!sorted.some((m) => m.topics.includes(topic))) continue;
    for (let partition = 0; partition < count; partition++) {
      result.get(next(topic).memberId)?.push({ topic, partition });
    }
  }
  return new Map([...result].map(([id, set]) => [id, toPartitionSet(set)]));
}
