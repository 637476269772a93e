import { RaftlogError, type ErrorCode } from '../../lib/index.js';
import type { ApplyContext, ControllerState, TopicInfo } from './controller-types.js';
import { groupStateName, rebalance, syncAnswer } from './consumer-groups.js';
import { withCommittedOffsets, type OffsetToCommit } from './group-offsets.js';
import {
  groupAssignors,
  groupLimits as limits,
  type ConsumerGroup,
  type GroupAssignor,
  type GroupCommand,
  type GroupMember,
  type GroupOutput,
} from './group-types.js';
import { checkOffsetCommitter } from './offset-committer-check.js';
import { intersect, toPartitionSet, union } from './partition-set.js';
import { requireInteger } from './require-integer.js';
import { shownValue } from './shown-value.js';

type Op<T extends GroupCommand['op']> = Extract<GroupCommand, { op: T }>;

export interface GroupApplied {
  readonly state: ControllerState;
  readonly output: GroupOutput;
}

function reject(code: ErrorCode, message: string): never {
  throw new RaftlogError(code, message);
}

function requireText(value: unknown, min: number, max: number, what: string): string {
  if (typeof value !== 'string' || value.length < min || value.length > max) {
    reject('INVALID_ARGUMENT', `${what} must be ${min} to ${max} characters`);
  }
  return value;
}

function requireGroupId(value: unknown): string {
  return requireText(value, 1, limits.groupIdCharsMax, 'group id');
}

function requireGroup(state: ControllerState, groupId: string): ConsumerGroup {
  const group = state.groups.get(groupId);
  if (group === undefined) reject('UNKNOWN_MEMBER_ID', `group '${groupId}' has no members`);
  return group;
}

function requireMember(group: ConsumerGroup, memberId: unknown): GroupMember {
  const member = typeof memberId === 'string' ? group.members.get(memberId) : undefined;
  if (member === undefined) {
    reject('UNKNOWN_MEMBER_ID', `group '${group.groupId}' has no member '${shownValue(memberId)}'`);
  }
  return member;
}

function requireTopics(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > limits.topicsPerSubscriptionMax) {
    reject('INVALID_ARGUMENT', `a member subscribes to 1 to ${limits.topicsPerSubscriptionMax} topics`);
  }
  const topics = value.map((t) => requireText(t, 1, 255, 'topic name'));
  return [...new Set(topics)].sort();
}

/** The group with its members replaced; a group left without members is forgotten. */
function withGroup(state: ControllerState, group: ConsumerGroup): ControllerState {
  const groups = new Map(state.groups);
  if (group.members.size === 0) groups.delete(group.groupId);
  else groups.set(group.groupId, group);
  return { ...state, groups };
}

function withMember(group: ConsumerGroup, member: GroupMember): ConsumerGroup {
  return { ...group, members: new Map(group.members).set(member.memberId, member) };
}

function memberIds(group: ConsumerGroup): string[] {
  return [...group.members.keys()].sort();
}

function join(state: ControllerState, c: Op<'join'>, ctx: ApplyContext): GroupApplied {
  const groupId = requireGroupId(c.groupId);
  const instanceId = requireText(c.instanceId, 0, limits.instanceIdCharsMax, 'group instance id');
  const fields = {
    clientId: requireText(c.clientId, 0, limits.clientIdCharsMax, 'client id'),
    clientHost: requireText(c.clientHost, 0, limits.clientHostCharsMax, 'client host'),
    topics: requireTopics(c.topics),
    sessionTimeoutMs: requireInteger(
      c.sessionTimeoutMs,
      limits.sessionTimeoutMsMin,
      limits.sessionTimeoutMsMax,
      'session timeout (ms)',
    ),
    rebalanceTimeoutMs: requireInteger(
      c.rebalanceTimeoutMs,
      0,
      limits.rebalanceTimeoutMsMax,
      'rebalance timeout (ms)',
    ),
  };
  requireText(c.memberId, 0, limits.memberIdCharsMax, 'member id');
  const existing = state.groups.get(groupId);
  if (existing === undefined && state.groups.size >= limits.groupsMax) {
    reject('RESOURCE_EXHAUSTED', `at most ${limits.groupsMax} groups may have members`);
  }
  const assignor = requireAssignor(existing, c.assignor, c.memberId);
  const group: ConsumerGroup = { ...(existing ?? { groupId, generation: 0, members: new Map() }), assignor };
  const member = joiningMember(group, c.memberId, instanceId, fields, ctx);
  const joined = rebalance(withMember(group, member), state.topics);
  return {
    state: withGroup(state, joined),
    output: {
      op: 'joined',
      generationId: joined.generation,
      memberId: member.memberId,
      members: memberIds(joined),
    },
  };
}

/** The assignor asked for, provided no other member of the group uses another one. */
function requireAssignor(group: ConsumerGroup | undefined, value: unknown, memberId: string): GroupAssignor {
  if (!(groupAssignors as readonly unknown[]).includes(value)) {
    reject('INVALID_ARGUMENT', `assignor must be one of ${groupAssignors.join(', ')}`);
  }
  const assignor = value as GroupAssignor;
  const others = group === undefined ? 0 : group.members.size - (group.members.has(memberId) ? 1 : 0);
  if (group !== undefined && others > 0 && group.assignor !== assignor) {
    reject(
      'INVALID_ARGUMENT',
      `group '${group.groupId}' uses the ${group.assignor} assignor; every member must ask for the same one`,
    );
  }
  return assignor;
}

type MemberFields = Pick<
  GroupMember,
  'clientId' | 'clientHost' | 'topics' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs'
>;

/**
 * A known instance id takes over its member (same id and target, owned emptied: the restarted
 * process consumes nothing yet); a known member id rejoins; an empty one makes a new member.
 */
function joiningMember(
  group: ConsumerGroup,
  memberId: string,
  instanceId: string,
  fields: MemberFields,
  ctx: ApplyContext,
): GroupMember {
  const staticMember =
    instanceId === '' ? undefined : [...group.members.values()].find((m) => m.instanceId === instanceId);
  if (staticMember !== undefined) {
    if (memberId !== '' && memberId !== staticMember.memberId) {
      reject('UNKNOWN_MEMBER_ID', `instance '${instanceId}' belongs to member '${staticMember.memberId}'`);
    }
    return { ...staticMember, ...fields, owned: [] };
  }
  if (memberId !== '') {
    const known = requireMember(group, memberId);
    return { ...known, ...fields, instanceId: known.instanceId === '' ? instanceId : known.instanceId };
  }
  if (group.members.size >= limits.membersPerGroupMax) {
    reject(
      'RESOURCE_EXHAUSTED',
      `group '${group.groupId}' may have at most ${limits.membersPerGroupMax} members`,
    );
  }
  return {
    memberId: `${fields.clientId === '' ? 'member' : fields.clientId}-${ctx.index}`,
    instanceId,
    ...fields,
    target: [],
    owned: [],
    joinedAtMs: ctx.timestampMs,
  };
}

function requirePartitions(value: unknown, what: string): { topic: string; partition: number }[] {
  if (!Array.isArray(value) || value.length > limits.offsetsPerCommitMax) {
    reject('INVALID_ARGUMENT', `${what} must list at most ${limits.offsetsPerCommitMax} partitions`);
  }
  return value.map((p: { topic?: unknown; partition?: unknown }) => ({
    topic: requireText(p?.topic, 1, 255, 'topic name'),
    partition: requireInteger(p?.partition, 0, Number.MAX_SAFE_INTEGER, 'partition'),
  }));
}

function sync(state: ControllerState, c: Op<'sync'>): GroupApplied {
  const group = requireGroup(state, requireGroupId(c.groupId));
  const member = requireMember(group, c.memberId);
  const reported = toPartitionSet(requirePartitions(c.owned, 'owned'));
  if (c.generationId !== group.generation) {
    reject(
      'ILLEGAL_GENERATION',
      `generation ${shownValue(c.generationId)} is not the current ${group.generation}`,
    );
  }
  // A member may keep reporting what it owned, never claim what it was not given.
  const owned = intersect(reported, union(member.target, member.owned));
  const synced = rebalance(withMember(group, { ...member, owned }), state.topics);
  const now = synced.members.get(member.memberId) ?? member;
  const assignment = syncAnswer(synced, now);
  // What the answer hands over is the member's from here on: a client may consume it at once, before
  // it reports it, so no other member may be given it until this one reports it released.
  const holder = { ...now, owned: union(now.owned, assignment) };
  return {
    state: withGroup(state, withMember(synced, holder)),
    output: { op: 'synced', generationId: synced.generation, assignment },
  };
}

/** LeaveGroup and session expiry alike: the member's owned partitions are free at once. */
function removeMember(state: ControllerState, c: Op<'leave'> | Op<'expire-member'>): GroupApplied {
  const group = requireGroup(state, requireGroupId(c.groupId));
  const member = requireMember(group, c.memberId);
  const members = new Map(group.members);
  members.delete(member.memberId);
  const left = rebalance({ ...group, members }, state.topics);
  return { state: withGroup(state, left), output: { op: 'left', generationId: left.generation } };
}

function requireOffsets(state: ControllerState, value: unknown): OffsetToCommit[] {
  if (!Array.isArray(value) || value.length > limits.offsetsPerCommitMax) {
    reject('INVALID_ARGUMENT', `a commit holds at most ${limits.offsetsPerCommitMax} offsets`);
  }
  return value.map((o: Partial<Record<keyof OffsetToCommit, unknown>>) => {
    const topic = requireText(o?.topic, 1, 255, 'topic name');
    const partition = requireInteger(o?.partition, 0, Number.MAX_SAFE_INTEGER, 'partition');
    requireExistingPartition(state.topics.get(topic), topic, partition);
    return {
      topic,
      partition,
      offset: requireInteger(o?.offset, 0, Number.MAX_SAFE_INTEGER, 'offset'),
      metadata: requireText(o?.metadata, 0, limits.offsetMetadataCharsMax, 'offset metadata'),
    };
  });
}

function requireExistingPartition(topic: TopicInfo | undefined, name: string, partition: number): void {
  if (topic === undefined) reject('TOPIC_NOT_FOUND', `topic '${name}' does not exist`);
  if (partition >= topic.partitions.length) {
    reject('PARTITION_NOT_FOUND', `topic '${name}' has no partition ${partition}`);
  }
}

function storeOffsets(
  state: ControllerState,
  groupId: string,
  offsets: readonly OffsetToCommit[],
  ctx: ApplyContext,
): GroupApplied {
  if (!state.groupOffsets.has(groupId) && state.groupOffsets.size >= limits.groupsWithOffsetsMax) {
    reject('RESOURCE_EXHAUSTED', `at most ${limits.groupsWithOffsetsMax} groups may hold offsets`);
  }
  const groupOffsets = withCommittedOffsets(state.groupOffsets, groupId, offsets, ctx.timestampMs);
  return { state: { ...state, groupOffsets }, output: { op: 'committed', count: offsets.length } };
}

function commitOffsets(state: ControllerState, c: Op<'commit-offsets'>, ctx: ApplyContext): GroupApplied {
  const groupId = requireGroupId(c.groupId);
  const generationId = requireInteger(c.generationId, -1, 0x7fff_ffff, 'generation id');
  const memberId = requireText(c.memberId, 0, limits.memberIdCharsMax, 'member id');
  const offsets = requireOffsets(state, c.offsets);
  const refused = checkOffsetCommitter(state, groupId, generationId, memberId, offsets);
  if (refused !== undefined) reject(refused.code, refused.message);
  return storeOffsets(state, groupId, offsets, ctx);
}

function resetOffsets(state: ControllerState, c: Op<'reset-offsets'>, ctx: ApplyContext): GroupApplied {
  const groupId = requireGroupId(c.groupId);
  const offsets = requireOffsets(state, c.offsets);
  const members = state.groups.get(groupId)?.members.size ?? 0;
  if (groupStateName(state.groups.get(groupId)) !== 'empty') {
    reject('INVALID_ARGUMENT', `group '${groupId}' has ${members} members; reset offsets once it has none`);
  }
  return storeOffsets(state, groupId, offsets, ctx);
}

/**
 * Applies one consumer-group command; pure. A rejection is a thrown RaftlogError, which the controller's
 * apply turns into a result that changes nothing.
 */
export function applyGroupCommand(state: ControllerState, c: GroupCommand, ctx: ApplyContext): GroupApplied {
  switch (c.op) {
    case 'join':
      return join(state, c, ctx);
    case 'sync':
      return sync(state, c);
    case 'leave':
    case 'expire-member':
      return removeMember(state, c);
    case 'commit-offsets':
      return commitOffsets(state, c, ctx);
    case 'reset-offsets':
      return resetOffsets(state, c, ctx);
    default:
      return reject('INVALID_ARGUMENT', `unknown group command '${shownValue((c as { op: unknown }).op)}'`);
  }
}
