import type { ErrorCode } from '../../lib/index.js';
import type { ControllerState, TopicInfo } from './controller-types.js';
import { generationMax, type ConsumerGroup, type GroupMember } from './group-types.js';
import { minus, partitionKey, sameSet, type PartitionSet } from './partition-set.js';
import { assignRange } from './range-assignor.js';
import { assignRoundRobin } from './round-robin-assignor.js';
import { assignSticky } from './sticky-assignor.js';

export type GroupStateName = 'empty' | 'rebalancing' | 'stable';

/** Partition counts of the topics the group's members subscribe to (0 for a missing topic). */
export function subscribedPartitionCounts(
  group: ConsumerGroup,
  topics: ReadonlyMap<string, TopicInfo>,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of group.members.values()) {
    for (const t of m.topics) counts.set(t, topics.get(t)?.partitions.length ?? 0);
  }
  return counts;
}

/** The targets the assignor gives now, from the members' current targets and the topics as they are. */
export function computeTargets(
  group: ConsumerGroup,
  topics: ReadonlyMap<string, TopicInfo>,
): Map<string, PartitionSet> {
  const members = [...group.members.values()].map((m) => ({
    memberId: m.memberId,
    topics: m.topics,
    current: m.target,
  }));
  const counts = subscribedPartitionCounts(group, topics);
  switch (group.assignor) {
    case 'range':
      return assignRange(members, counts);
    case 'round-robin':
      return assignRoundRobin(members, counts);
    case 'sticky':
      return assignSticky(members, counts);
  }
}

export function targetsChanged(group: ConsumerGroup, targets: ReadonlyMap<string, PartitionSet>): boolean {
  for (const m of group.members.values()) {
    if (!sameSet(m.target, targets.get(m.memberId) ?? [])) return true;
  }
  return false;
}

/** Recomputes the target assignment; the generation grows by one when it changes. */
export function rebalance(group: ConsumerGroup, topics: ReadonlyMap<string, TopicInfo>): ConsumerGroup {
  const targets = computeTargets(group, topics);
  if (!targetsChanged(group, targets)) return group;
  const members = new Map<string, GroupMember>();
  for (const [id, m] of group.members) members.set(id, { ...m, target: targets.get(id) ?? [] });
  // int32 on the wire; wrapping to 1 keeps it positive (0 and -1 mean "none").
  const generation = group.generation >= generationMax ? 1 : group.generation + 1;
  return { ...group, generation, members };
}

/** Partition keys owned by members other than `memberId`. */
export function ownedByOthers(group: ConsumerGroup, memberId: string): Set<string> {
  const keys = new Set<string>();
  for (const m of group.members.values()) {
    if (m.memberId !== memberId) for (const p of m.owned) keys.add(partitionKey(p));
  }
  return keys;
}

/** What SyncGroup answers the member: its target minus what other members still own. */
export function syncAnswer(group: ConsumerGroup, member: GroupMember): PartitionSet {
  return minus(member.target, ownedByOthers(group, member.memberId));
}

/** EMPTY without members, REBALANCING while some member's owned set differs from its target. */
export function groupStateName(group: ConsumerGroup | undefined): GroupStateName {
  if (group === undefined || group.members.size === 0) return 'empty';
  for (const m of group.members.values()) if (!sameSet(m.owned, m.target)) return 'rebalancing';
  return 'stable';
}

export type HeartbeatVerdict =
  { readonly ok: true } | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

/**
 * Heartbeat: OK while the member's generation is current and it owns exactly what a SyncGroup would
 * answer now; REBALANCE_IN_PROGRESS when it must release or can gain partitions (or the topics changed
 * under the target); UNKNOWN_MEMBER_ID once it was removed. Reads the state, writes nothing.
 */
export function heartbeatVerdict(
  state: ControllerState,
  groupId: string,
  generationId: number,
  memberId: string,
): HeartbeatVerdict {
  const group = state.groups.get(groupId);
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) {
    return {
      ok: false,
      code: 'UNKNOWN_MEMBER_ID',
      message: `group '${groupId}' has no member '${memberId}'`,
    };
  }
  if (generationId !== group.generation) {
    return rebalancing(`generation ${generationId} is not the current ${group.generation}`);
  }
  if (!sameSet(member.owned, syncAnswer(group, member))) {
    return rebalancing(`member '${memberId}' has partitions to release or to take`);
  }
  if (targetStale(group, state.topics)) return rebalancing('the subscribed topics changed');
  return { ok: true };
}

function rebalancing(message: string): HeartbeatVerdict {
  return { ok: false, code: 'REBALANCE_IN_PROGRESS', message };
}

/**
 * Heartbeats ask this of the same immutable group and topics many times between two changes: the
 * answer is remembered per (group, topics) object pair, which any change replaces.
 */
const staleness = new WeakMap<ConsumerGroup, { topics: ReadonlyMap<string, TopicInfo>; stale: boolean }>();

function targetStale(group: ConsumerGroup, topics: ReadonlyMap<string, TopicInfo>): boolean {
  const known = staleness.get(group);
  if (known?.topics === topics) return known.stale;
  const stale = targetsChanged(group, computeTargets(group, topics));
  staleness.set(group, { topics, stale });
  return stale;
}
