import type { TopicPartitionRef } from './group-types.js';

/**
 * Sets of partitions as sorted arrays without duplicates (by topic, then partition): the form groups
 * keep in the controller state, so equal sets are equal arrays and snapshots are byte-identical.
 */
export type PartitionSet = readonly TopicPartitionRef[];

export function comparePartitions(a: TopicPartitionRef, b: TopicPartitionRef): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}

export function partitionKey(p: TopicPartitionRef): string {
  return `${p.topic}\u0000${p.partition}`;
}

/** Sorts, drops duplicates and copies each element to a plain `{topic, partition}`. */
export function toPartitionSet(items: Iterable<TopicPartitionRef>): PartitionSet {
  const byKey = new Map<string, TopicPartitionRef>();
  for (const p of items) byKey.set(partitionKey(p), { topic: p.topic, partition: p.partition });
  return [...byKey.values()].sort(comparePartitions);
}

export function setHas(set: PartitionSet, p: TopicPartitionRef): boolean {
  return set.some((q) => q.topic === p.topic && q.partition === p.partition);
}

export function intersect(a: PartitionSet, b: PartitionSet): PartitionSet {
  const keys = new Set(b.map(partitionKey));
  return a.filter((p) => keys.has(partitionKey(p)));
}

export function minus(a: PartitionSet, b: PartitionSet | ReadonlySet<string>): PartitionSet {
  const keys = b instanceof Set ? b : new Set((b as PartitionSet).map(partitionKey));
  return a.filter((p) => !keys.has(partitionKey(p)));
}

export function union(a: PartitionSet, b: PartitionSet): PartitionSet {
  return toPartitionSet([...a, ...b]);
}

export function sameSet(a: PartitionSet, b: PartitionSet): boolean {
  return a.length === b.length && a.every((p, i) => comparePartitions(p, b[i] as TopicPartitionRef) === 0);
}
