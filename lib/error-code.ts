/**
 * The closed set of error codes raftlog reports, everywhere: in process, in gRPC metadata
 * (`raftlog-error-code`) and as the `ErrorCode` enum of proto/raftlog/v1/errors.proto, which
 * uses the same names with an `ERROR_CODE_` prefix. `retriable` means the same request may succeed
 * if sent again later (possibly to another node after a metadata refresh) without changing it.
 */
export const errorCodes = {
  UNKNOWN: { retriable: false, grpc: 'UNKNOWN' },
  INVALID_ARGUMENT: { retriable: false, grpc: 'INVALID_ARGUMENT' },
  INVALID_TOPIC_NAME: { retriable: false, grpc: 'INVALID_ARGUMENT' },
  MESSAGE_TOO_LARGE: { retriable: false, grpc: 'INVALID_ARGUMENT' },
  CORRUPT_MESSAGE: { retriable: false, grpc: 'INVALID_ARGUMENT' },
  TOPIC_NOT_FOUND: { retriable: false, grpc: 'NOT_FOUND' },
  PARTITION_NOT_FOUND: { retriable: false, grpc: 'NOT_FOUND' },
  TOPIC_ALREADY_EXISTS: { retriable: false, grpc: 'ALREADY_EXISTS' },
  NOT_LEADER: { retriable: true, grpc: 'FAILED_PRECONDITION' },
  LEADER_NOT_AVAILABLE: { retriable: true, grpc: 'UNAVAILABLE' },
  NOT_ENOUGH_REPLICAS: { retriable: true, grpc: 'UNAVAILABLE' },
  STALE_EPOCH: { retriable: true, grpc: 'FAILED_PRECONDITION' },
  PROPOSAL_DROPPED: { retriable: true, grpc: 'UNAVAILABLE' },
  TIMEOUT: { retriable: true, grpc: 'DEADLINE_EXCEEDED' },
  UNAVAILABLE: { retriable: true, grpc: 'UNAVAILABLE' },
  RESOURCE_EXHAUSTED: { retriable: true, grpc: 'RESOURCE_EXHAUSTED' },
  SHUTTING_DOWN: { retriable: true, grpc: 'UNAVAILABLE' },
  OFFSET_OUT_OF_RANGE: { retriable: false, grpc: 'OUT_OF_RANGE' },
  OUT_OF_ORDER_SEQUENCE: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  PRODUCER_FENCED: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  UNKNOWN_PRODUCER_ID: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  INVALID_TXN_STATE: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  CONCURRENT_TRANSACTIONS: { retriable: true, grpc: 'ABORTED' },
  TRANSACTION_TIMED_OUT: { retriable: false, grpc: 'ABORTED' },
  NOT_COORDINATOR: { retriable: true, grpc: 'FAILED_PRECONDITION' },
  COORDINATOR_NOT_AVAILABLE: { retriable: true, grpc: 'UNAVAILABLE' },
  REBALANCE_IN_PROGRESS: { retriable: true, grpc: 'ABORTED' },
  UNKNOWN_MEMBER_ID: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  ILLEGAL_GENERATION: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  LEASE_EXPIRED: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  UNKNOWN_LEASE: { retriable: false, grpc: 'NOT_FOUND' },
  CORRUPTION: { retriable: false, grpc: 'DATA_LOSS' },
  CANCELLED: { retriable: false, grpc: 'CANCELLED' },
  UNIMPLEMENTED: { retriable: false, grpc: 'UNIMPLEMENTED' },
  INTERNAL: { retriable: false, grpc: 'INTERNAL' },
  NODE_REMOVED: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  CLUSTER_TOO_SMALL: { retriable: false, grpc: 'FAILED_PRECONDITION' },
  AUTHENTICATION_FAILED: { retriable: false, grpc: 'UNAUTHENTICATED' },
  AUTHORIZATION_FAILED: { retriable: false, grpc: 'PERMISSION_DENIED' },
  REASSIGNMENT_IN_PROGRESS: { retriable: true, grpc: 'ABORTED' },
  QUEUE_GROUP_NOT_FOUND: { retriable: false, grpc: 'NOT_FOUND' },
} as const satisfies Record<string, { retriable: boolean; grpc: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** The gRPC status name each code travels under (the numbers live in the transport adapter). */
export type GrpcStatusName = (typeof errorCodes)[ErrorCode]['grpc'];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(errorCodes, value);
}

export function isRetriable(code: ErrorCode): boolean {
  return errorCodes[code].retriable;
}
