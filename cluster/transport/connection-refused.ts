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

/**
 * True when the peer's process is gone: the dial was refused, or a connection was accepted and then
 * closed or reset before HTTP/2 even started, and quickly (what a proxy or a Kubernetes Service in
 * front of a dead process does; grpc-js reports UNAVAILABLE "No connection established. Last
 * error: Failed to connect", or "read ECONNRESET" when the proxy closed with our preface unread). A
 * silent partition never closes anything: its Hello times out instead.
 */
export function isPeerGone(error: unknown, dialMs: number, helloTimeoutMs: number): boolean {
  if (isConnectionRefused(error)) return true;
  return (
    error instanceof RaftlogError &&
    error.code === 'UNAVAILABLE' &&
    error.message.includes('No connection established') &&
    (error.message.includes('Failed to connect') || error.message.includes('ECONNRESET')) &&
    dialMs < helloTimeoutMs
  );
}
