import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import {
  groupLimits,
  type GroupAssignor,
  type TopicPartitionRef,
} from '../../../cluster/controller/index.js';
import type { CallContext, ServiceImpl } from '../../../rpc/index.js';
import {
  Assignor,
  CoordinatorKind,
  type BrokerService,
  type CommitOffsetsRequest,
  type FetchOffsetsRequest,
  type FetchOffsetsResponseSchema,
  type JoinGroupRequest,
  type SyncGroupRequest,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { clientHost, onCoordinator } from './coordinator-forward.js';
import { errorDetail } from './error-detail.js';
import { int64, nonNegativeFromInt64 } from './proto-mapping.js';
import type { ServiceDeps } from './service-deps.js';
import { checkNoDuplicates, checkTopicName } from './validate-request.js';

/** Kafka's session.timeout.ms default, for a JoinGroup that leaves it 0. */
const sessionTimeoutMsDefault = 45_000;

type GroupHandlers = Pick<
  ServiceImpl<typeof BrokerService>,
  | 'findCoordinator'
  | 'joinGroup'
  | 'syncGroup'
  | 'heartbeat'
  | 'leaveGroup'
  | 'commitOffsets'
  | 'fetchOffsets'
>;

/**
 * The consumer-group calls of BrokerService. The controller leader coordinates every group; the
 * other nodes forward these calls to it (coordinator-forward.ts), so a client may call any node.
 */
export function groupHandlers(deps: ServiceDeps): GroupHandlers {
  const groups = deps.api.groups;
  return {
    findCoordinator: (request) => {
      if (request.kind !== CoordinatorKind.UNSPECIFIED && !(request.kind in CoordinatorKind)) {
        throw new RaftlogError('INVALID_ARGUMENT', `unknown coordinator kind ${request.kind}`);
      }
      // Groups and transactional ids alike live in the controller state: one coordinator for all.
      return Promise.resolve(groups.coordinator());
    },
    joinGroup: (request, context) =>
      onCoordinator(
        deps,
        context,
        async () => {
          const input = joinInput(request, context);
          const joined = await groups.join(input);
          return { ...joined, members: [...joined.members], assignor: assignorOnWire[input.assignor] };
        },
        (b, options) => b.joinGroup(request, options),
      ),
    syncGroup: (request, context) =>
      onCoordinator(
        deps,
        context,
        async () => {
          const synced = await groups.sync(syncInput(request));
          return { assignment: [...synced.assignment] };
        },
        (b, options) => b.syncGroup(request, options),
      ),
    heartbeat: (request, context) =>
      onCoordinator(
        deps,
        context,
        () => {
          groups.heartbeat(
            checkGroupId(request.groupId),
            request.generationId,
            checkMemberId(request.memberId),
          );
          return {};
        },
        (b, options) => b.heartbeat(request, options),
      ),
    leaveGroup: (request, context) =>
      onCoordinator(
        deps,
        context,
        async () => {
          await groups.leave(checkGroupId(request.groupId), checkMemberId(request.memberId));
          return {};
        },
        (b, options) => b.leaveGroup(request, options),
      ),
    commitOffsets: (request, context) =>
      onCoordinator(
        deps,
        context,
        async () => {
          const input = commitInput(request);
          await groups.commitOffsets(input);
          return { results: input.offsets.map(({ topic, partition }) => ({ topic, partition })) };
        },
        (b, options) => b.commitOffsets(request, options),
      ),
    fetchOffsets: (request, context) =>
      onCoordinator(
        deps,
        context,
        () => fetchOffsets(deps, request),
        (b, options) => b.fetchOffsets(request, options),
      ),
  };
}

export function checkGroupId(groupId: string): string {
  if (groupId.length === 0 || groupId.length > groupLimits.groupIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `group_id must be 1 to ${groupLimits.groupIdCharsMax} characters`,
    );
  }
  return groupId;
}

function checkMemberId(memberId: string): string {
  if (memberId.length > groupLimits.memberIdCharsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `member_id is longer than ${groupLimits.memberIdCharsMax} characters`,
    );
  }
  return memberId;
}

function checkPartitions(items: readonly TopicPartitionRef[], what: string): TopicPartitionRef[] {
  if (items.length > groupLimits.offsetsPerCommitMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${what} lists more than ${groupLimits.offsetsPerCommitMax} partitions`,
    );
  }
  checkNoDuplicates(items, what);
  return items.map((p) => ({ topic: checkTopicName(p.topic), partition: p.partition }));
}

const assignorOnWire: Record<GroupAssignor, Assignor> = {
  range: Assignor.RANGE,
  'round-robin': Assignor.ROUND_ROBIN,
  sticky: Assignor.STICKY,
};

/** The proto's Assignor; UNSPECIFIED means RANGE, as Kafka's default partition.assignment.strategy. */
function assignorOf(value: Assignor): GroupAssignor {
  switch (value) {
    case Assignor.UNSPECIFIED:
    case Assignor.RANGE:
      return 'range';
    case Assignor.ROUND_ROBIN:
      return 'round-robin';
    case Assignor.STICKY:
      return 'sticky';
    default:
      throw new RaftlogError('INVALID_ARGUMENT', `unknown assignor ${String(value)}`);
  }
}

function joinInput(request: JoinGroupRequest, context: CallContext) {
  const { topicsPerSubscriptionMax } = groupLimits;
  if (request.topics.length === 0 || request.topics.length > topicsPerSubscriptionMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `topics must list 1 to ${topicsPerSubscriptionMax} topics`);
  }
  return {
    groupId: checkGroupId(request.groupId),
    memberId: checkMemberId(request.memberId),
    instanceId: request.groupInstanceId,
    clientId: request.clientId,
    clientHost: clientHost(context).slice(0, groupLimits.clientHostCharsMax),
    topics: request.topics.map(checkTopicName),
    sessionTimeoutMs: request.sessionTimeoutMs === 0 ? sessionTimeoutMsDefault : request.sessionTimeoutMs,
    rebalanceTimeoutMs: request.rebalanceTimeoutMs,
    assignor: assignorOf(request.assignor),
  };
}

function syncInput(request: SyncGroupRequest) {
  return {
    groupId: checkGroupId(request.groupId),
    generationId: request.generationId,
    memberId: checkMemberId(request.memberId),
    owned: checkPartitions(request.owned, 'owned'),
  };
}

function commitInput(request: CommitOffsetsRequest) {
  checkPartitions(request.offsets, 'offsets');
  return {
    groupId: checkGroupId(request.groupId),
    generationId: request.generationId,
    memberId: checkMemberId(request.memberId),
    offsets: request.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      offset: nonNegativeFromInt64(o.offset, 'offset'),
      metadata: o.metadata,
    })),
  };
}

type FetchOffsetsResponse = MessageInitShape<typeof FetchOffsetsResponseSchema>;

/**
 * Committed offsets from the coordinator's state. With require_stable, a partition whose offsets an
 * open transaction is about to commit answers CONCURRENT_TRANSACTIONS (retriable) instead, so a
 * consumer taking over does not start before the transaction's decision.
 */
function fetchOffsets(deps: ServiceDeps, request: FetchOffsetsRequest): FetchOffsetsResponse {
  const partitions = checkPartitions(request.partitions, 'partitions');
  const offsets = deps.api.groups.fetchOffsets(checkGroupId(request.groupId), partitions);
  return {
    offsets: offsets.map((o) =>
      request.requireStable && !o.stable
        ? {
            topic: o.topic,
            partition: o.partition,
            offset: -1n,
            metadata: '',
            error: errorDetail(pending(o)),
          }
        : { topic: o.topic, partition: o.partition, offset: int64(o.offset), metadata: o.metadata },
    ),
  };
}

function pending(o: { topic: string; partition: number }): RaftlogError {
  return new RaftlogError(
    'CONCURRENT_TRANSACTIONS',
    `an open transaction holds offsets of ${o.topic}/${o.partition}; ask again once it ends`,
  );
}
