import { RaftlogError } from '../../lib/index.js';

const pollMs = 100;
const attemptTimeoutMs = 1_000;

/**
 * grpc-js backs off up to two minutes between reconnects by default; a node that starts in a second
 * would then be noticed long after it is up.
 */
export const probeChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.use_local_subchannel_pool': 1,
};

/** One look at another process: whether what is awaited holds, and else what was seen. */
export type Attempt = (timeoutMs: number) => Promise<{ readonly done: boolean; readonly seen: string }>;

/**
 * Runs `attempt` every 100 ms (each given at most a second) until it reports done; rejects with
 * TIMEOUT naming `what` and the last thing seen after `timeoutMs`, or with CANCELLED when `signal`
 * aborts. For processes this one cannot hear from otherwise (a node starting up).
 */
export async function pollUntil(
  what: string,
  attempt: Attempt,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (signal?.aborted === true) throw new RaftlogError('CANCELLED', `stopped waiting: ${what}`);
    const left = deadline - Date.now();
    if (left <= 0) throw new RaftlogError('TIMEOUT', `${what} after ${timeoutMs} ms (${last})`);
    const { done, seen } = await attempt(Math.min(left, attemptTimeoutMs));
    if (done) return;
    last = seen;
    await abortableSleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
