import { RaftlogError } from '../../lib/index.js';
import type { ServiceClient } from '../../cluster/rpc/index.js';
import {
  GroupKind,
  GroupState,
  OffsetResetSpec,
  type AdminService,
  type GroupDescription as WireGroupDescription,
} from '../../proto/gen/raftlog/v1/admin_pb.js';
import { errorFromDetail } from './errors.js';
import type { RaftlogClient } from './raftlog-client.js';
import { defaultRetryOptions } from './retry-policy.js';
import type { TopicPartitionRef } from './types.js';
import { withRetry } from './with-retry.js';

export type GroupStateName = 'EMPTY' | 'REBALANCING' | 'STABLE' | 'UNKNOWN';

export interface GroupListingInfo {
  readonly group: string;
  readonly kind: 'consumer' | 'queue' | 'unknown';
  readonly state: GroupStateName;
}

export interface GroupMemberInfo {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  readonly groupInstanceId: string;
  /** The partitions it consumes now (its owned set). */
  readonly assignment: readonly TopicPartitionRef[];
}

export interface GroupPartitionLag extends TopicPartitionRef {
  /** -1 when nothing was committed. */
  readonly committed: number;
  /** The partition's high watermark. */
  readonly end: number;
  readonly lag: number;
}

export interface GroupInfo {
  readonly group: string;
  readonly state: GroupStateName;
  readonly generation: number;
  readonly members: readonly GroupMemberInfo[];
  readonly partitions: readonly GroupPartitionLag[];
  readonly lag: number;
}

/** Where reset-offsets moves a group: a position, an offset, or the first record at or after a time. */
export type OffsetResetTarget =
  'earliest' | 'latest' | { readonly offset: number } | { readonly timestampMs: number };

export interface ResetOffsetsInput {
  readonly topic: string;
  /** Default: every partition of the topic. */
  readonly partitions?: readonly number[];
  readonly to: OffsetResetTarget;
  /** Compute the new offsets without committing them. */
  readonly dryRun?: boolean;
}

export interface OffsetResetInfo extends TopicPartitionRef {
  /** -1 when nothing was committed. */
  readonly previous: number;
  readonly offset: number;
}

const stateNames: Record<GroupState, GroupStateName> = {
  [GroupState.UNSPECIFIED]: 'UNKNOWN',
  [GroupState.EMPTY]: 'EMPTY',
  [GroupState.REBALANCING]: 'REBALANCING',
  [GroupState.STABLE]: 'STABLE',
};

const kindNames: Record<GroupKind, GroupListingInfo['kind']> = {
  [GroupKind.UNSPECIFIED]: 'unknown',
  [GroupKind.CONSUMER]: 'consumer',
  [GroupKind.QUEUE]: 'queue',
};

/**
 * Consumer-group administration (ListGroups, DescribeGroups, ResetGroupOffsets). Any node serves
 * these (forwarding to the coordinator); a call moves to the next known node when one cannot answer
 * and retries retriable errors until timeoutMs.
 */
export class GroupAdmin {
  private turn = 0;

  constructor(
    private readonly client: Pick<RaftlogClient, 'admin' | 'addresses'>,
    private readonly options: { readonly timeoutMs?: number; readonly preferredAddress?: string } = {},
  ) {}

  async listGroups(): Promise<GroupListingInfo[]> {
    const r = await this.call((a, timeoutMs) => a.listGroups({}, { timeoutMs }));
    return r.groups.map((g) => ({
      group: g.groupId,
      kind: kindNames[g.kind] ?? 'unknown',
      state: stateNames[g.state] ?? 'UNKNOWN',
    }));
  }

  async describeGroup(groupId: string): Promise<GroupInfo> {
    const r = await this.call((a, timeoutMs) => a.describeGroups({ groupIds: [groupId] }, { timeoutMs }));
    const g = r.groups.find((d) => d.groupId === groupId) ?? r.groups[0];
    if (g === undefined) throw new RaftlogError('INTERNAL', `DescribeGroups answered nothing for ${groupId}`);
    const error = errorFromDetail(g.error);
    if (error !== undefined) throw error;
    return toGroupInfo(g);
  }

  /** Moves the committed offsets of a group without members; with dryRun only says where they would go. */
  async resetOffsets(groupId: string, input: ResetOffsetsInput): Promise<OffsetResetInfo[]> {
    const to = input.to;
    const target =
      to === 'earliest'
        ? { spec: OffsetResetSpec.EARLIEST }
        : to === 'latest'
          ? { spec: OffsetResetSpec.LATEST }
          : 'offset' in to
            ? { spec: OffsetResetSpec.OFFSET, offset: BigInt(to.offset) }
            : { spec: OffsetResetSpec.TIMESTAMP, timestampMs: BigInt(to.timestampMs) };
    const r = await this.call((a, timeoutMs) =>
      a.resetGroupOffsets(
        {
          groupId,
          topic: input.topic,
          partitions: [...(input.partitions ?? [])],
          dryRun: input.dryRun ?? false,
          ...target,
        },
        { timeoutMs },
      ),
    );
    return r.offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      previous: Number(o.previousOffset),
      offset: Number(o.offset),
    }));
  }

  private call<T>(
    fn: (admin: ServiceClient<typeof AdminService>, timeoutMs: number) => Promise<T>,
  ): Promise<T> {
    const deadlineMs = Date.now() + (this.options.timeoutMs ?? 30_000);
    let address = this.options.preferredAddress ?? this.next();
    return withRetry(() => fn(this.client.admin(address), Math.max(1, deadlineMs - Date.now())), {
      deadlineMs,
      retry: defaultRetryOptions,
      onError: (e) => {
        address = e.leaderHint !== undefined && e.leaderHint !== '' ? e.leaderHint : this.next();
      },
    });
  }

  private next(): string {
    const all = this.client.addresses();
    const address = all[this.turn++ % Math.max(1, all.length)];
    if (address === undefined) throw new RaftlogError('INVALID_ARGUMENT', 'no node address known');
    return address;
  }
}

function toGroupInfo(g: WireGroupDescription): GroupInfo {
  return {
    group: g.groupId,
    state: stateNames[g.state] ?? 'UNKNOWN',
    generation: g.generationId,
    members: g.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      groupInstanceId: m.groupInstanceId,
      assignment: m.assignment.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
    })),
    partitions: g.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      committed: Number(p.committedOffset),
      end: Number(p.highWatermark),
      lag: Number(p.lag),
    })),
    lag: Number(g.lag),
  };
}
