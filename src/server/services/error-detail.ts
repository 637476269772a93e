import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import type { Logger } from '../../obs/index.js';
import { ErrorCode, type ErrorDetailSchema } from '../../../proto/gen/raftlog/v1/errors_pb.js';

export type ErrorDetailInit = MessageInitShape<typeof ErrorDetailSchema>;

/**
 * What a client may learn of a failure: a RaftlogError as is (corruption logged here as well);
 * anything else is a server bug, logged here and reported as INTERNAL without its message (which may
 * hold internals).
 */
export function clientError(error: unknown, logger: Logger, what: string): RaftlogError {
  if (error instanceof RaftlogError) {
    // Stored data that fails its checks is an operator's concern too, not only the client's.
    if (error.code === 'CORRUPTION') logger.error({ err: error }, `${what}: stored data is corrupt`);
    return error;
  }
  logger.error({ err: error }, `${what} failed unexpectedly`);
  return new RaftlogError('INTERNAL', 'internal error');
}

/** The per-item form of a failure (stream results, partitions), mirroring the gRPC status metadata. */
export function errorDetail(error: RaftlogError): ErrorDetailInit {
  return {
    code: ErrorCode[error.code],
    message: error.message,
    retriable: error.retriable,
    leaderHint: error.leaderHint ?? '',
  };
}

export const leaderNotAvailable = (p: { topic: string; partition: number }): RaftlogError =>
  new RaftlogError('LEADER_NOT_AVAILABLE', `${p.topic}/${p.partition} has no leader right now`);
