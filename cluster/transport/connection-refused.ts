import { RaftlogError } from '../../lib/index.js';

/**
 * True when a dial was actively refused: nothing listens at the address any more (grpc-js reports
 * UNAVAILABLE "No connection established. Last error: Error: connect ECONNREFUSED ..."). A timeout, a
 * reset or a proxy that accepts and then drops are not refusals: they may be a partition.
 */
export function isConnectionRefused(error: unknown): boolean {
  return (
    error instanceof RaftlogError && error.code === 'UNAVAILABLE' && error.message.includes('ECONNREFUSED')
  );
}
