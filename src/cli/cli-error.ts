import { CommanderError } from 'commander';
import { RaftlogError } from '../../lib/index.js';

/** The one shape of a failure on stderr: `raftlog: CODE: message`. */
export function formatError(error: unknown): string {
  const e = toCliError(error);
  return `raftlog: ${e.code}: ${e.message}`;
}

export function toCliError(error: unknown): RaftlogError {
  if (error instanceof RaftlogError) return error;
  if (error instanceof CommanderError) {
    return new RaftlogError('INVALID_ARGUMENT', error.message.replace(/^error: /, ''), { cause: error });
  }
  return RaftlogError.from(error, 'UNKNOWN');
}

/** Help and version end commander with exit code 0; everything else it throws is a usage error. */
export function isCleanExit(error: unknown): boolean {
  return error instanceof CommanderError && error.exitCode === 0;
}
