import { RaftlogError } from '../../lib/index.js';
import { signalsStaleLeader } from './errors.js';

export interface RetryOptions {
  /** The first retry waits about this long; each further one twice as long. */
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
  /**
   * The ceiling while the error says the leader moved (NOT_LEADER, LEADER_NOT_AVAILABLE, ...): an
   * election takes about a second, and waiting longer than this past it is pure downtime.
   */
  readonly leaderBackoffMaxMs?: number;
}

export const defaultRetryOptions: RetryOptions = {
  backoffBaseMs: 50,
  backoffMaxMs: 2_000,
  leaderBackoffMaxMs: 100,
};
const leaderBackoffMaxMsDefault = 100;

export type RetryDecision = { readonly retry: true; readonly delayMs: number } | { readonly retry: false };

/**
 * Exponential backoff with "equal jitter": a delay in [d/2, d] where d doubles per attempt up to
 * backoffMaxMs, so clients that failed together do not retry together yet none retries at once.
 */
export function backoffMs(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.backoffMaxMs, options.backoffBaseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * Whether to send the same request again after `error`. Only errors the server marks retriable are
 * retried, and never past the deadline. A NOT_LEADER that names the leader is retried at once the
 * first time: the hint makes a wait pointless.
 */
export function decideRetry(
  error: unknown,
  attempt: number,
  nowMs: number,
  deadlineMs: number,
  options: RetryOptions = defaultRetryOptions,
  random: () => number = Math.random,
): RetryDecision {
  if (!(error instanceof RaftlogError) || !error.retriable) return { retry: false };
  const hinted = error.code === 'NOT_LEADER' && error.leaderHint !== undefined && attempt === 0;
  const ceiling = signalsStaleLeader(error)
    ? {
        ...options,
        backoffMaxMs: Math.min(options.backoffMaxMs, options.leaderBackoffMaxMs ?? leaderBackoffMaxMsDefault),
      }
    : options;
  const delayMs = hinted ? 0 : backoffMs(attempt, ceiling, random);
  if (nowMs + delayMs >= deadlineMs) return { retry: false };
  return { retry: true, delayMs };
}
