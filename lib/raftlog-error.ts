import { errorCodes, type ErrorCode } from './error-code.js';

export interface RaftlogErrorOptions {
  cause?: unknown;
  /** Where a NOT_LEADER error points the client (host:port), when known. */
  leaderHint?: string;
}

/** The one error type raftlog throws across layers: a closed code, a retriable flag and a cause. */
export class RaftlogError extends Error {
  override readonly name: string = 'RaftlogError';
  readonly code: ErrorCode;
  readonly leaderHint: string | undefined;

  constructor(code: ErrorCode, message: string, options: RaftlogErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.leaderHint = options.leaderHint;
  }

  get retriable(): boolean {
    return errorCodes[this.code].retriable;
  }

  /** Wraps anything thrown into a RaftlogError, keeping one that already is. */
  static from(error: unknown, fallback: ErrorCode = 'INTERNAL'): RaftlogError {
    if (error instanceof RaftlogError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new RaftlogError(fallback, message, { cause: error });
  }
}

/** Stored data failed its checksum: report it, never serve it. */
export class CorruptionError extends RaftlogError {
  override readonly name = 'CorruptionError';
  constructor(message: string, options: RaftlogErrorOptions = {}) {
    super('CORRUPTION', message, options);
  }
}
