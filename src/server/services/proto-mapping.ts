import { RaftlogError } from '../../../lib/index.js';
import type { Acks } from '../../../cluster/partition/index.js';
import { Acks as ProtoAcks, IsolationLevel, OffsetSpec } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import type { FetchInput, ListOffsetInput } from '../../../cluster/node/node-api.js';

export type Isolation = FetchInput['isolation'];

function unknownEnum(what: string, value: number): RaftlogError {
  return new RaftlogError('INVALID_ARGUMENT', `unknown ${what} value ${value}`);
}

/** Proto3 enums are open: a newer client may send a number this server does not know. */
export function acksFromProto(acks: ProtoAcks): Acks {
  switch (acks) {
    case ProtoAcks.UNSPECIFIED:
    case ProtoAcks.QUORUM:
      return 'quorum';
    case ProtoAcks.LEADER:
      return 'leader';
    case ProtoAcks.NONE:
      return 'none';
    default:
      throw unknownEnum('acks', acks);
  }
}

export function acksToProto(acks: Acks): ProtoAcks {
  const byName = { none: ProtoAcks.NONE, leader: ProtoAcks.LEADER, quorum: ProtoAcks.QUORUM } as const;
  return byName[acks];
}

export function isolationFromProto(level: IsolationLevel): Isolation {
  switch (level) {
    case IsolationLevel.UNSPECIFIED:
    case IsolationLevel.READ_UNCOMMITTED:
      return 'read-uncommitted';
    case IsolationLevel.READ_COMMITTED:
      return 'read-committed';
    default:
      throw unknownEnum('isolation_level', level);
  }
}

export function offsetSpecFromProto(spec: OffsetSpec): ListOffsetInput['spec'] {
  switch (spec) {
    case OffsetSpec.UNSPECIFIED:
    case OffsetSpec.LATEST:
      return 'latest';
    case OffsetSpec.EARLIEST:
      return 'earliest';
    case OffsetSpec.TIMESTAMP:
      return 'timestamp';
    default:
      throw unknownEnum('offset spec', spec);
  }
}

/** An int64 from the wire as a JS number: offsets and times in this broker stay safe integers. */
export function nonNegativeFromInt64(value: bigint, what: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RaftlogError('INVALID_ARGUMENT', `${what} must be in [0, 2^53-1], got ${value}`);
  }
  return Number(value);
}

export const int64 = (value: number): bigint => BigInt(value);

/** A signed int64 setting (where -1 means "unlimited") as a JS number. */
export function safeFromInt64(value: bigint, what: string): number {
  if (value < BigInt(Number.MIN_SAFE_INTEGER) || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RaftlogError('INVALID_ARGUMENT', `${what} is outside the safe integer range: ${value}`);
  }
  return Number(value);
}
