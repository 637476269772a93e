import type { Writable } from 'node:stream';

/**
 * Resolves when the stream drains, closes or the signal aborts: the caller re-checks which, so a
 * cancelled call never leaves a writer waiting for a 'drain' that will not come.
 */
export function waitForDrain(stream: Writable, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted === true || stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    const finish = (): void => {
      stream.off('drain', finish);
      stream.off('close', finish);
      stream.off('error', finish);
      signal?.removeEventListener('abort', finish);
      resolve();
    };
    stream.once('drain', finish);
    stream.once('close', finish);
    stream.once('error', finish);
    signal?.addEventListener('abort', finish, { once: true });
  });
}
