import type { RaftlogError } from '../../lib/index.js';

/**
 * Errors that prove a send never reached the log: it was refused before it was proposed. Any other
 * failure (a timeout, a lost connection, a leader that changed) leaves the outcome unknown.
 */
const definitelyNotWritten = new Set<string>([
  'MESSAGE_TOO_LARGE',
  'INVALID_ARGUMENT',
  'INVALID_TOPIC_NAME',
  'TOPIC_NOT_FOUND',
  'PARTITION_NOT_FOUND',
  'CORRUPT_MESSAGE',
]);

export function sendOutcome(error: unknown): 'fail' | 'info' {
  const code = (error as Partial<RaftlogError> | undefined)?.code;
  return typeof code === 'string' && definitelyNotWritten.has(code) ? 'fail' : 'info';
}
