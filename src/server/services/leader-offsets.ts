import { isErrorCode, RaftlogError } from '../../../lib/index.js';
import type { ListOffsetInput } from '../../../cluster/node/node-api.js';
import { OffsetSpec } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { ErrorCode, type ErrorDetail } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import type { ServiceDeps } from './service-deps.js';

/** Timeout of one lookup at another node. */
const lookupTimeoutMs = 5_000;

/**
 * A partition's earliest, latest or by-timestamp offset from its leader: answered here when this node
 * leads it, else asked of the leader the NOT_LEADER answer names. Admin calls use it, so they report
 * the same offsets from whichever node they reach.
 */
export async function leaderOffset(
  deps: ServiceDeps,
  topic: string,
  partition: number,
  spec: ListOffsetInput['spec'],
  timestampMs = 0,
): Promise<number> {
  const input = { topic, partition, spec, timestampMs, isolation: 'read-uncommitted' } as const;
  try {
    return (await deps.api.listOffset(input)).offset;
  } catch (error) {
    if (!(error instanceof RaftlogError) || error.code !== 'NOT_LEADER' || error.leaderHint === undefined)
      throw error;
    const response = await deps.api.groups
      .broker(error.leaderHint)
      .listOffsets(
        { partitions: [{ topic, partition, spec: specToProto[spec], timestampMs: BigInt(timestampMs) }] },
        { timeoutMs: lookupTimeoutMs },
      );
    const answer = response.offsets[0];
    if (answer === undefined) throw new RaftlogError('INTERNAL', 'ListOffsets gave no answer');
    if (answer.error !== undefined && answer.error.code !== ErrorCode.UNSPECIFIED)
      throw fromDetail(answer.error);
    return Number(answer.offset);
  }
}

const specToProto = {
  earliest: OffsetSpec.EARLIEST,
  latest: OffsetSpec.LATEST,
  timestamp: OffsetSpec.TIMESTAMP,
} as const;

function fromDetail(detail: ErrorDetail): RaftlogError {
  const name = ErrorCode[detail.code] ?? 'UNKNOWN';
  return new RaftlogError(isErrorCode(name) ? name : 'UNKNOWN', detail.message);
}
