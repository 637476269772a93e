import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import { errorCodes, isErrorCode, RaftlogError, type ErrorCode } from '../../lib/index.js';

export const errorCodeHeader = 'raftlog-error-code';
export const retriableHeader = 'raftlog-retriable';
export const leaderHintHeader = 'raftlog-leader-hint';

/** The status a failed call ends with: our code travels in metadata, the gRPC status beside it. */
export function toStatus(error: unknown): Partial<StatusObject> {
  const metadata = new Metadata();
  if (!(error instanceof RaftlogError)) {
    metadata.set(errorCodeHeader, 'INTERNAL');
    metadata.set(retriableHeader, 'false');
    // Unknown errors stay in the server log; the client learns only that one happened.
    return { code: status.INTERNAL, details: 'internal error', metadata };
  }
  metadata.set(errorCodeHeader, error.code);
  metadata.set(retriableHeader, String(error.retriable));
  if (error.leaderHint !== undefined) metadata.set(leaderHintHeader, error.leaderHint);
  return { code: status[errorCodes[error.code].grpc], details: error.message, metadata };
}

const fromGrpcStatus: Partial<Record<status, ErrorCode>> = {
  [status.CANCELLED]: 'CANCELLED',
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [status.NOT_FOUND]: 'INVALID_ARGUMENT',
  [status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [status.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DATA_LOSS]: 'CORRUPTION',
  [status.INTERNAL]: 'INTERNAL',
};

/** A failed call as the client sees it: our code when the server sent one, else the status mapped. */
export function fromServiceError(error: ServiceError): RaftlogError {
  const sent = String(error.metadata?.get(errorCodeHeader)[0] ?? '');
  const code: ErrorCode = isErrorCode(sent) ? sent : (fromGrpcStatus[error.code] ?? 'UNKNOWN');
  const hint = error.metadata?.get(leaderHintHeader)[0];
  const options = hint === undefined ? { cause: error } : { cause: error, leaderHint: String(hint) };
  return new RaftlogError(code, error.details || error.message, options);
}
