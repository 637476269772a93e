import { RaftlogError } from '../../lib/index.js';

/**
 * `promise`, or TIMEOUT after `timeoutMs` (naming `what` did not happen), or CANCELLED when `signal`
 * aborts first. The promise itself goes on: a late outcome is simply not waited for.
 */
export async function within<T>(
  promise: Promise<T>,
  timeoutMs: number,
  what: string,
  signal?: AbortSignal,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let abort: (() => void) | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new RaftlogError('TIMEOUT', `${what} within ${timeoutMs} ms`)),
      timeoutMs,
    );
    abort = () => reject(new RaftlogError('CANCELLED', 'the request was cancelled'));
    signal?.addEventListener('abort', abort, { once: true });
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    if (abort !== undefined) signal?.removeEventListener('abort', abort);
  }
}
