import { isErrorCode, RaftlogError } from '../../lib/index.js';
import { ErrorCode, type ErrorDetail } from '../../proto/gen/raftlog/v1/errors_pb.js';
import type { PartitionOutcome } from './txn-api.js';

/** A per-partition ErrorDetail from a peer back into the RaftlogError it stood for. */
export function errorFromDetail(detail: ErrorDetail): RaftlogError {
  const name = ErrorCode[detail.code];
  const code = typeof name === 'string' && isErrorCode(name) ? name : 'UNKNOWN';
  return new RaftlogError(
    code,
    detail.message,
    detail.leaderHint === '' ? {} : { leaderHint: detail.leaderHint },
  );
}

export function markerOutcomesFromProto(
  results: readonly { topic: string; partition: number; error?: ErrorDetail | undefined }[],
): PartitionOutcome[] {
  return results.map((r) =>
    r.error === undefined || r.error.code === ErrorCode.UNSPECIFIED
      ? { topic: r.topic, partition: r.partition }
      : { topic: r.topic, partition: r.partition, error: errorFromDetail(r.error) },
  );
}
