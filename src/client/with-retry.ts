import type { RaftlogError } from '../../lib/index.js';
import { delay } from './delay.js';
import { toRaftlogError } from './errors.js';
import { decideRetry, defaultRetryOptions, type RetryOptions } from './retry-policy.js';

export interface WithRetryOptions {
  readonly deadlineMs: number;
  readonly retry?: RetryOptions;
  /** Sees every failure before the retry decision (metadata invalidation lives here). */
  readonly onError?: (error: RaftlogError) => void;
  readonly signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, fails with a non-retriable error, or the deadline leaves no room. */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  options: WithRetryOptions,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      options.onError?.(error);
      const decision = decideRetry(
        error,
        n,
        Date.now(),
        options.deadlineMs,
        options.retry ?? defaultRetryOptions,
      );
      if (!decision.retry || options.signal?.aborted === true) throw error;
      if (decision.delayMs > 0) await delay(decision.delayMs, options.signal);
    }
  }
}
