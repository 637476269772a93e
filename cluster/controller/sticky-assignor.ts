import { assert } from '../../lib/index.js';
import type { TopicPartitionRef } from './group-types.js';
import { comparePartitions, partitionKey, toPartitionSet, type PartitionSet } from './partition-set.js';

export interface AssignorMember {
  readonly memberId: string;
  readonly topics: readonly string[];
  /** The member's previous target: it keeps as much of it as its fair share allows. */
  readonly current: PartitionSet;
}

/** Topics with the same subscribers share one fair share ("per subscription"). */
interface SubscriptionClass {
  readonly topics: string[];
  readonly subscribers: readonly string[];
}

/**
 * A sticky, balanced, incremental assignment; pure and deterministic (the result depends on the
 * members' ids, subscriptions and current targets, never on the order they are given in).
 *
 * Topics are grouped by the exact set of members subscribed to them. Within each such class every
 * subscriber gets floor or ceil of (partitions / subscribers); the ceil shares go to the members that
 * hold the most already, so the fewest partitions move. Each member keeps its current partitions up to
 * its share; only the surplus and unassigned partitions move, each to the least loaded member still
 * below its share. A joining member therefore takes partitions only from members above their new
 * share, and a leaving member's partitions go to the others without any other move.
 */
export function assignSticky(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): Map<string, PartitionSet> {
  const sorted = [...members].sort((a, b) => compareIds(a.memberId, b.memberId));
  const result = new Map<string, TopicPartitionRef[]>(sorted.map((m) => [m.memberId, []]));
  const load = new Map<string, number>(sorted.map((m) => [m.memberId, 0]));
  const claimed = currentOwners(sorted);
  for (const c of subscriptionClasses(sorted, partitionCounts)) {
    assignClass(c, partitionCounts, claimed, result, load);
  }
  return new Map([...result].map(([id, set]) => [id, toPartitionSet(set)]));
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Partition key → the member holding it now (the first by id, should two claim one). */
function currentOwners(members: readonly AssignorMember[]): Map<string, string> {
  const owners = new Map<string, string>();
  for (const m of members) {
    const subscribed = new Set(m.topics);
    for (const p of m.current) {
      const key = partitionKey(p);
      if (subscribed.has(p.topic) && !owners.has(key)) owners.set(key, m.memberId);
    }
  }
  return owners;
}

function subscriptionClasses(
  members: readonly AssignorMember[],
  partitionCounts: ReadonlyMap<string, number>,
): SubscriptionClass[] {
  const subscribers = new Map<string, string[]>();
  for (const m of members) {
    for (const t of new Set(m.topics)) {
      if ((partitionCounts.get(t) ?? 0) <= 0) continue;
      const list = subscribers.get(t) ?? [];
      list.push(m.memberId);
      subscribers.set(t, list);
    }
  }
  const classes = new Map<string, SubscriptionClass>();
  for (const topic of [...subscribers.keys()].sort(compareIds)) {
    const ids = subscribers.get(topic) ?? [];
    const key = JSON.stringify(ids);
    const c = classes.get(key) ?? { topics: [], subscribers: ids };
    c.topics.push(topic);
    classes.set(key, c);
  }
  return [...classes.values()];
}

function assignClass(
  c: SubscriptionClass,
  partitionCounts: ReadonlyMap<string, number>,
  claimed: ReadonlyMap<string, string>,
  result: Map<string, TopicPartitionRef[]>,
  load: Map<string, number>,
): void {
  const all: TopicPartitionRef[] = c.topics.flatMap((topic) =>
    Array.from({ length: partitionCounts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition })),
  );
  const held = new Map<string, TopicPartitionRef[]>(c.subscribers.map((id) => [id, []]));
  const free: TopicPartitionRef[] = [];
  for (const p of all) {
    const owner = claimed.get(partitionKey(p));
    const list = owner === undefined ? undefined : held.get(owner);
    if (list === undefined) free.push(p);
    else list.push(p);
  }
  const quota = shares(c.subscribers, all.length, held, load);
  const count = new Map<string, number>();
  for (const id of c.subscribers) {
    const mine = held.get(id) ?? [];
    const keep = quota.get(id) ?? 0;
    give(id, mine.slice(0, keep), result, load, count);
    free.push(...mine.slice(keep));
  }
  for (const p of free.sort(comparePartitions)) {
    const to = leastLoadedBelowShare(c.subscribers, quota, count, load);
    give(to, [p], result, load, count);
  }
}

/** floor/ceil shares; the ceil ones go to the members holding most now, then the least loaded. */
function shares(
  subscribers: readonly string[],
  partitions: number,
  held: ReadonlyMap<string, readonly TopicPartitionRef[]>,
  load: ReadonlyMap<string, number>,
): Map<string, number> {
  const base = Math.floor(partitions / subscribers.length);
  const extra = partitions % subscribers.length;
  const order = [...subscribers].sort(
    (a, b) =>
      (held.get(b)?.length ?? 0) - (held.get(a)?.length ?? 0) ||
      (load.get(a) ?? 0) - (load.get(b) ?? 0) ||
      compareIds(a, b),
  );
  return new Map(order.map((id, i) => [id, base + (i < extra ? 1 : 0)]));
}

function leastLoadedBelowShare(
  subscribers: readonly string[],
  quota: ReadonlyMap<string, number>,
  count: ReadonlyMap<string, number>,
  load: ReadonlyMap<string, number>,
): string {
  let best: string | undefined;
  for (const id of subscribers) {
    if ((count.get(id) ?? 0) >= (quota.get(id) ?? 0)) continue;
    if (best === undefined || (load.get(id) ?? 0) < (load.get(best) ?? 0)) best = id;
  }
  // The shares add up to the class's partitions, so someone is always below theirs.
  assert(best !== undefined, 'assignor: every share is full');
  return best;
}

function give(
  id: string,
  partitions: readonly TopicPartitionRef[],
  result: Map<string, TopicPartitionRef[]>,
  load: Map<string, number>,
  count: Map<string, number>,
): void {
  result.get(id)?.push(...partitions);
  load.set(id, (load.get(id) ?? 0) + partitions.length);
  count.set(id, (count.get(id) ?? 0) + partitions.length);
}
