import { isErrorCode, RaftlogError } from '../../../lib/index.js';
import type { ListOffsetInput } from '../../../cluster/node/node-api.js';
import { OffsetSpec } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode, type ErrorDetail } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import type { ServiceDeps } from './service-deps.js';

/** Timeout of one lookup at another node. */
const lookupTimeoutMs = 5_000;

export interface OffsetLookup {
  readonly topic: string;
  readonly partition: number;
  readonly spec: ListOffsetInput['spec'];
  /** For spec 'timestamp'. */
  readonly timestampMs?: number;
}

/** The offset found, or the error that one lookup met (the others still answer). */
export type OffsetAnswer = number | RaftlogError;

/**
 * Partitions' earliest, latest or by-timestamp offsets from their leaders: answered here for the
 * partitions this node leads, and in one ListOffsets call per other leader (as the NOT_LEADER answers
 * name them, at most `listOffsetsPartitionsMax` entries a call) for the rest. Admin calls use it, so
 * they report the same offsets from whichever node they reach.
 */
export async function leaderOffsets(
  deps: ServiceDeps,
  lookups: readonly OffsetLookup[],
): Promise<OffsetAnswer[]> {
  const answers: OffsetAnswer[] = [];
  const elsewhere = new Map<string, number[]>();
  for (const [i, l] of lookups.entries()) {
    try {
      answers[i] = (await deps.api.listOffset(input(l))).offset;
    } catch (error) {
      const e = RaftlogError.from(error);
      answers[i] = e;
      if (e.code === 'NOT_LEADER' && e.leaderHint !== undefined && e.leaderHint !== '') {
        elsewhere.set(e.leaderHint, [...(elsewhere.get(e.leaderHint) ?? []), i]);
      }
    }
  }
  await Promise.all(
    [...elsewhere].flatMap(([address, indexes]) =>
      chunks(indexes, deps.limits.listOffsetsPartitionsMax).map((chunk) =>
        askLeader(deps, address, chunk, lookups, answers),
      ),
    ),
  );
  return answers;
}

async function askLeader(
  deps: ServiceDeps,
  address: string,
  indexes: readonly number[],
  lookups: readonly OffsetLookup[],
  answers: OffsetAnswer[],
): Promise<void> {
  const asked = indexes.map((i) => lookups[i] as OffsetLookup);
  try {
    const response = await deps.api.groups.broker(address).listOffsets(
      {
        partitions: asked.map((l) => ({
          topic: l.topic,
          partition: l.partition,
          spec: specToProto[l.spec],
          timestampMs: BigInt(l.timestampMs ?? 0),
        })),
      },
      { timeoutMs: lookupTimeoutMs },
    );
    indexes.forEach((index, k) => {
      const a = response.offsets[k];
      answers[index] =
        a === undefined
          ? new RaftlogError('INTERNAL', 'ListOffsets answered fewer partitions than asked')
          : (fromDetail(a.error) ?? Number(a.offset));
    });
  } catch (error) {
    for (const index of indexes) answers[index] = RaftlogError.from(error);
  }
}

function input(l: OffsetLookup): ListOffsetInput {
  return {
    topic: l.topic,
    partition: l.partition,
    spec: l.spec,
    timestampMs: l.timestampMs ?? 0,
    isolation: 'read-uncommitted',
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const specToProto = {
  earliest: OffsetSpec.EARLIEST,
  latest: OffsetSpec.LATEST,
  timestamp: OffsetSpec.TIMESTAMP,
} as const;

function fromDetail(detail: ErrorDetail | undefined): RaftlogError | undefined {
  if (detail === undefined || detail.code === ErrorCode.UNSPECIFIED) return undefined;
  const name = ErrorCode[detail.code] ?? 'UNKNOWN';
  return new RaftlogError(isErrorCode(name) ? name : 'UNKNOWN', detail.message);
}
