import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import type { GroupStateName, OffsetToCommit } from '../../../cluster/controller/index.js';
import type { CommittedOffsetView, GroupDetail } from '../../../cluster/node/group-api.js';
import type { ServiceImpl } from '../../../rpc/index.js';
import {
  GroupKind,
  GroupState,
  OffsetResetSpec,
  type AdminService,
  type GroupDescriptionSchema,
  type ResetGroupOffsetsRequest,
  type ResetGroupOffsetsResponseSchema,
} from '../../../proto/gen/raftlog/v1/admin_pb.js';
import { clientError, errorDetail } from './error-detail.js';
import { checkGroupId } from './groups.js';
import { leaderOffsets, type OffsetAnswer, type OffsetLookup } from './leader-offsets.js';
import { nonNegativeFromInt64 } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkTopicName } from './validate-request.js';

/** Groups per DescribeGroups call; each costs a lookup per partition at its leader. */
const describeGroupsMax = 100;

type GroupAdminHandlers = Pick<
  ServiceImpl<typeof AdminService>,
  'listGroups' | 'describeGroups' | 'resetGroupOffsets'
>;

const stateToProto: Record<GroupStateName, GroupState> = {
  empty: GroupState.EMPTY,
  rebalancing: GroupState.REBALANCING,
  stable: GroupState.STABLE,
};

/** ListGroups, DescribeGroups and ResetGroupOffsets for consumer groups; any node answers them. */
export function groupAdminHandlers(deps: ServiceDeps): GroupAdminHandlers {
  return {
    listGroups: () =>
      Promise.resolve({
        groups: deps.api.groups
          .listGroups()
          .map((g) => ({ groupId: g.groupId, kind: GroupKind.CONSUMER, state: stateToProto[g.state] })),
      }),
    describeGroups: async (request) => {
      if (request.groupIds.length === 0 || request.groupIds.length > describeGroupsMax) {
        throw new RaftlogError('INVALID_ARGUMENT', `group_ids must name 1 to ${describeGroupsMax} groups`);
      }
      return { groups: await Promise.all(request.groupIds.map((id) => describeOne(deps, id))) };
    },
    resetGroupOffsets: (request) => resetGroupOffsets(deps, request),
  };
}

/**
 * Each consumer group's lag summed over its partitions, for metrics and the console: answered only by
 * the group coordinator (the controller leader), at most `groupsMax` groups, in group id order.
 */
export async function groupLags(
  deps: ServiceDeps,
  groupsMax: number,
): Promise<{ group: string; lag: number }[]> {
  if (deps.api.clusterStatus({ omitPartitions: true }).controller.leaderId !== deps.api.nodeId) return [];
  const ids = deps.api.groups
    .listGroups()
    .map((g) => g.groupId)
    .sort()
    .slice(0, groupsMax);
  return Promise.all(
    ids.map(async (group) => {
      const partitions = await partitionStatus(deps, deps.api.groups.describeGroup(group).offsets);
      return { group, lag: Number(partitions.reduce((sum, p) => sum + p.lag, 0n)) };
    }),
  );
}

type Description = MessageInitShape<typeof GroupDescriptionSchema>;

async function describeOne(deps: ServiceDeps, groupId: string): Promise<Description> {
  try {
    const group = deps.api.groups.describeGroup(checkGroupId(groupId));
    const partitions = await partitionStatus(deps, group.offsets);
    return {
      groupId,
      kind: GroupKind.CONSUMER,
      state: stateToProto[group.state],
      generationId: group.generationId,
      members: members(group),
      partitions,
      lag: partitions.reduce((sum, p) => sum + p.lag, 0n),
    };
  } catch (error) {
    return { groupId, error: errorDetail(clientError(error, deps.logger, 'DescribeGroups')) };
  }
}

function members(group: GroupDetail): NonNullable<Description['members']> {
  return group.members.map((m) => ({
    memberId: m.memberId,
    clientId: m.clientId,
    clientHost: m.clientHost,
    assignment: [...m.owned],
    groupInstanceId: m.instanceId,
  }));
}

/**
 * Per partition: the committed offset, the high watermark from its leader, and the lag (counted from
 * the log start when nothing is committed). A partition whose leader cannot be asked shows -1 and no lag.
 */
async function partitionStatus(deps: ServiceDeps, offsets: readonly CommittedOffsetView[]) {
  const ends = await leaderOffsets(
    deps,
    offsets.map((o) => ({ ...o, spec: 'latest' as const })),
  );
  const starts = await leaderOffsets(
    deps,
    offsets.map((o) => ({ ...o, spec: 'earliest' as const })).filter((o) => o.offset < 0),
  );
  let next = 0;
  return offsets.map((o, i) => {
    const end = ends[i];
    const from = o.offset >= 0 ? o.offset : starts[next++];
    const known = typeof end === 'number' && typeof from === 'number';
    return {
      topic: o.topic,
      partition: o.partition,
      committedOffset: BigInt(o.offset),
      highWatermark: typeof end === 'number' ? BigInt(end) : -1n,
      lag: known ? BigInt(Math.max(0, end - from)) : 0n,
    };
  });
}

type ResetResponse = MessageInitShape<typeof ResetGroupOffsetsResponseSchema>;

async function resetGroupOffsets(
  deps: ServiceDeps,
  request: ResetGroupOffsetsRequest,
): Promise<ResetResponse> {
  const groupId = checkGroupId(request.groupId);
  const topic = checkTopicName(request.topic);
  const count = deps.api.describeTopic(topic).partitions;
  for (const p of request.partitions) {
    if (p >= count) throw new RaftlogError('PARTITION_NOT_FOUND', `topic '${topic}' has no partition ${p}`);
  }
  const partitions =
    request.partitions.length > 0 ? [...new Set(request.partitions)] : [...Array(count).keys()];
  const previous = new Map<number, number>();
  for (const o of committedOffsets(deps, groupId)) if (o.topic === topic) previous.set(o.partition, o.offset);
  const targets = await resetTargets(deps, request, topic, partitions);
  const offsets: OffsetToCommit[] = partitions.map((partition, i) => ({
    topic,
    partition,
    offset: targets[i] ?? 0,
    metadata: '',
  }));
  if (!request.dryRun) await deps.api.groups.resetOffsets(groupId, offsets);
  return {
    offsets: offsets.map((o) => ({
      topic,
      partition: o.partition,
      previousOffset: BigInt(previous.get(o.partition) ?? -1),
      offset: BigInt(o.offset),
    })),
  };
}

function committedOffsets(deps: ServiceDeps, groupId: string): readonly CommittedOffsetView[] {
  try {
    return deps.api.groups.describeGroup(groupId).offsets;
  } catch {
    return [];
  }
}

/** Where each partition goes; any lookup that fails fails the reset. */
async function resetTargets(
  deps: ServiceDeps,
  request: ResetGroupOffsetsRequest,
  topic: string,
  partitions: readonly number[],
): Promise<number[]> {
  const all = (spec: OffsetLookup['spec'], timestampMs = 0) =>
    leaderOffsets(
      deps,
      partitions.map((partition) => ({ topic, partition, spec, timestampMs })),
    ).then((answers) => answers.map(required));
  switch (request.spec) {
    case OffsetResetSpec.EARLIEST:
      return all('earliest');
    case OffsetResetSpec.LATEST:
      return all('latest');
    case OffsetResetSpec.OFFSET: {
      const wanted = nonNegativeFromInt64(request.offset, 'offset');
      const [starts, ends] = await Promise.all([all('earliest'), all('latest')]);
      return ends.map((end, i) => Math.min(end, Math.max(starts[i] ?? 0, wanted)));
    }
    case OffsetResetSpec.TIMESTAMP: {
      const at = nonNegativeFromInt64(request.timestampMs, 'timestamp_ms');
      const [found, ends] = await Promise.all([all('timestamp', at), all('latest')]);
      return found.map((offset, i) => (offset >= 0 ? offset : (ends[i] ?? offset)));
    }
    default:
      throw new RaftlogError('INVALID_ARGUMENT', 'spec must be earliest, latest, offset or timestamp');
  }
}

function required(answer: OffsetAnswer): number {
  if (typeof answer === 'number') return answer;
  throw answer;
}
