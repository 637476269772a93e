import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  GroupState,
  OffsetResetSpec,
  type GroupDescription,
  type GroupListing as WireGroupListing,
  type ResetGroupOffsetsRequestSchema,
} from '../../proto/gen/raftlog/v1/admin_pb.js';

export type GroupStateName = 'empty' | 'rebalancing' | 'stable' | 'unknown';

export interface GroupListing {
  readonly group: string;
  readonly state: GroupStateName;
}

export interface GroupMemberInfo {
  readonly memberId: string;
  readonly clientId: string;
  readonly clientHost: string;
  /** Static membership id; '' for a dynamic member. */
  readonly instanceId: string;
  /** The partitions it consumes now. */
  readonly assignment: readonly { readonly topic: string; readonly partition: number }[];
}

export interface GroupPartitionLag {
  readonly topic: string;
  readonly partition: number;
  /** -1 when nothing is committed (lag then counts from the log start). */
  readonly committed: number;
  /** The high watermark; -1 when its leader could not be asked. */
  readonly end: number;
  readonly lag: number;
}

/** The shape `raftlog group describe --json` prints. */
export interface GroupDetails {
  readonly group: string;
  readonly state: GroupStateName;
  readonly generation: number;
  readonly members: readonly GroupMemberInfo[];
  readonly partitions: readonly GroupPartitionLag[];
  readonly lag: number;
}

export interface ResetGroupOffsetsInput {
  readonly group: string;
  readonly topic: string;
  /** Empty or absent: every partition of the topic. */
  readonly partitions?: readonly number[];
  /** An offset (clamped to the log) or a timestamp in ms since the epoch. */
  readonly to: 'earliest' | 'latest' | { readonly offset: number } | { readonly timestampMs: number };
  readonly dryRun?: boolean;
}

export interface GroupOffsetReset {
  readonly topic: string;
  readonly partition: number;
  readonly previous: number;
  readonly offset: number;
}

function stateName(state: GroupState): GroupStateName {
  switch (state) {
    case GroupState.EMPTY:
      return 'empty';
    case GroupState.REBALANCING:
      return 'rebalancing';
    case GroupState.STABLE:
      return 'stable';
    default:
      return 'unknown';
  }
}

export function toGroupListing(g: WireGroupListing): GroupListing {
  return { group: g.groupId, state: stateName(g.state) };
}

export function toGroupDetails(d: GroupDescription): GroupDetails {
  return {
    group: d.groupId,
    state: stateName(d.state),
    generation: d.generationId,
    members: d.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      clientHost: m.clientHost,
      instanceId: m.groupInstanceId,
      assignment: m.assignment.map((p) => ({ topic: p.topic, partition: p.partition })),
    })),
    partitions: d.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      committed: Number(p.committedOffset),
      end: Number(p.highWatermark),
      lag: Number(p.lag),
    })),
    lag: Number(d.lag),
  };
}

export function toWireReset(
  input: ResetGroupOffsetsInput,
): MessageInitShape<typeof ResetGroupOffsetsRequestSchema> {
  const base = {
    groupId: input.group,
    topic: input.topic,
    partitions: [...(input.partitions ?? [])],
    dryRun: input.dryRun ?? false,
  };
  const to = input.to;
  if (to === 'earliest') return { ...base, spec: OffsetResetSpec.EARLIEST };
  if (to === 'latest') return { ...base, spec: OffsetResetSpec.LATEST };
  if ('offset' in to) return { ...base, spec: OffsetResetSpec.OFFSET, offset: BigInt(to.offset) };
  return { ...base, spec: OffsetResetSpec.TIMESTAMP, timestampMs: BigInt(to.timestampMs) };
}
