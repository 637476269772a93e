import { RaftlogError, type Clock, type Timer } from '../../lib/index.js';

/**
 * `promise`, or TIMEOUT after `timeoutMs` on `clock` (naming `what` did not happen), or CANCELLED
 * when `signal` aborts first. The promise itself goes on: a late outcome is simply not waited for.
 */
export async function within<T>(
  clock: Pick<Clock, 'after'>,
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: Timer | undefined;
  let abort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = clock.after(timeoutMs, () =>
      reject(new RaftlogError('TIMEOUT', `${what} within ${timeoutMs} ms`)),
    );
    abort = () => reject(new RaftlogError('CANCELLED', 'the request was cancelled'));
    signal?.addEventListener('abort', abort, { once: true });
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    timer?.cancel();
    if (abort !== undefined) signal?.removeEventListener('abort', abort);
  }
}
