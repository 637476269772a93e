import { Metadata, status, type ServiceError, type StatusObject } from '@grpc/grpc-js';
import {
  errorCodes,
  isErrorCode,
  OffsetOutOfRangeError,
  RaftlogError,
  type ErrorCode,
  type LogPositions,
  type RaftlogErrorOptions,
} from '../lib/index.js';

export const errorCodeHeader = 'raftlog-error-code';
export const retriableHeader = 'raftlog-retriable';
export const leaderHintHeader = 'raftlog-leader-hint';
/** An OFFSET_OUT_OF_RANGE status names the partition's positions, so the client can reset its own. */
export const positionHeaders = {
  highWatermark: 'raftlog-high-watermark',
  lastStableOffset: 'raftlog-last-stable-offset',
  logStartOffset: 'raftlog-log-start-offset',
} as const satisfies Record<keyof LogPositions, string>;
const positionKeys = Object.keys(positionHeaders) as (keyof LogPositions)[];

/** The status a failed call ends with: our code travels in metadata, the gRPC status beside it. */
export function toStatus(error: unknown): StatusObject {
  const metadata = new Metadata();
  if (!(error instanceof RaftlogError)) {
    metadata.set(errorCodeHeader, 'INTERNAL');
    metadata.set(retriableHeader, 'false');
    // Unknown errors stay in the server's log; the client learns only that one happened.
    return { code: status.INTERNAL, details: 'internal error', metadata };
  }
  metadata.set(errorCodeHeader, error.code);
  metadata.set(retriableHeader, String(error.retriable));
  if (error.leaderHint !== undefined) metadata.set(leaderHintHeader, error.leaderHint);
  if (error instanceof OffsetOutOfRangeError) {
    for (const key of positionKeys) metadata.set(positionHeaders[key], String(error.positions[key]));
  }
  return { code: status[errorCodes[error.code].grpc], details: error.message, metadata };
}

export function toServiceError(error: unknown): ServiceError {
  const s = toStatus(error);
  return Object.assign(new Error(s.details), s);
}

/**
 * For statuses that did not come from a raftlog handler (grpc-js itself, a proxy, another server).
 * Codes without a raftlog meaning become UNKNOWN rather than a guess.
 */
const fromGrpcStatus: Record<status, ErrorCode> = {
  [status.OK]: 'INTERNAL',
  [status.CANCELLED]: 'CANCELLED',
  [status.UNKNOWN]: 'UNKNOWN',
  [status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [status.DEADLINE_EXCEEDED]: 'TIMEOUT',
  [status.NOT_FOUND]: 'UNKNOWN',
  [status.ALREADY_EXISTS]: 'UNKNOWN',
  [status.PERMISSION_DENIED]: 'AUTHORIZATION_FAILED',
  [status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [status.FAILED_PRECONDITION]: 'UNKNOWN',
  [status.ABORTED]: 'UNKNOWN',
  [status.OUT_OF_RANGE]: 'UNKNOWN',
  [status.UNIMPLEMENTED]: 'UNIMPLEMENTED',
  [status.INTERNAL]: 'INTERNAL',
  [status.UNAVAILABLE]: 'UNAVAILABLE',
  [status.DATA_LOSS]: 'CORRUPTION',
  [status.UNAUTHENTICATED]: 'AUTHENTICATION_FAILED',
};

/** grpc-js's own size limit: resending the same message cannot help, unlike other exhaustion. */
const sizeLimitDetails = /larger than max/i;

/** A failed call as the client sees it: our code when the server sent one, else the status mapped. */
export function fromServiceError(error: ServiceError): RaftlogError {
  const sent = String(error.metadata?.get(errorCodeHeader)[0] ?? '');
  const code: ErrorCode = isErrorCode(sent) ? sent : mapStatus(error);
  const hint = error.metadata?.get(leaderHintHeader)[0];
  const options: RaftlogErrorOptions =
    hint === undefined ? { cause: error } : { cause: error, leaderHint: String(hint) };
  const message = error.details || error.message;
  const positions = code === 'OFFSET_OUT_OF_RANGE' ? positionsOf(error.metadata) : undefined;
  return positions === undefined
    ? new RaftlogError(code, message, options)
    : new OffsetOutOfRangeError(message, positions, options);
}

/** The positions an OFFSET_OUT_OF_RANGE status carried; undefined when any is missing or malformed. */
function positionsOf(metadata: Metadata | undefined): LogPositions | undefined {
  const read = (key: keyof LogPositions): number => {
    const text = String(metadata?.get(positionHeaders[key])[0] ?? '');
    return /^-?\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  };
  const positions = {
    highWatermark: read('highWatermark'),
    lastStableOffset: read('lastStableOffset'),
    logStartOffset: read('logStartOffset'),
  };
  return Object.values(positions).every(Number.isSafeInteger) ? positions : undefined;
}

function mapStatus(error: ServiceError): ErrorCode {
  if (error.code === status.RESOURCE_EXHAUSTED && sizeLimitDetails.test(error.details)) {
    return 'MESSAGE_TOO_LARGE';
  }
  return fromGrpcStatus[error.code] ?? 'UNKNOWN';
}

export function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}
