import { isErrorCode, RaftlogError, type ErrorCode } from '../../lib/index.js';
import { ErrorCode as WireErrorCode, type ErrorDetail } from '../../proto/gen/raftlog/v1/errors_pb.js';

/** A per-item ErrorDetail from a response, or undefined when it says "no error". */
export function errorFromDetail(detail: ErrorDetail | undefined): RaftlogError | undefined {
  if (detail === undefined || detail.code === WireErrorCode.UNSPECIFIED) return undefined;
  const name = WireErrorCode[detail.code];
  const code: ErrorCode = name !== undefined && isErrorCode(name) ? name : 'UNKNOWN';
  const options = detail.leaderHint === '' ? {} : { leaderHint: detail.leaderHint };
  return new RaftlogError(code, detail.message || code, options);
}

/** Codes that mean the cached leader is probably wrong, so metadata must be fetched again. */
const staleLeaderCodes: ReadonlySet<ErrorCode> = new Set([
  'NOT_LEADER',
  'LEADER_NOT_AVAILABLE',
  'UNAVAILABLE',
  'SHUTTING_DOWN',
  'STALE_EPOCH',
  'PROPOSAL_DROPPED',
]);

export function signalsStaleLeader(error: RaftlogError): boolean {
  return staleLeaderCodes.has(error.code);
}

export function toRaftlogError(error: unknown): RaftlogError {
  return RaftlogError.from(error, 'UNKNOWN');
}

/**
 * A whole-call NOT_LEADER about several partitions names the leader of one of them, unknown which:
 * each partition forgets the hint and refreshes metadata instead.
 */
export function withoutHint(error: RaftlogError): RaftlogError {
  return error.leaderHint === undefined
    ? error
    : new RaftlogError(error.code, error.message, { cause: error });
}
