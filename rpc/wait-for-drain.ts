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

/**
 * Writes one message and resolves once the stream has taken it (its write callback: for a gRPC call,
 * once HTTP/2 sent it), or once the call closes or the signal aborts.
 */
export function writeOut(stream: Writable, message: unknown, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const written = (): void => {
      stream.off('close', written);
      signal?.removeEventListener('abort', written);
      resolve();
    };
    stream.once('close', written);
    signal?.addEventListener('abort', written, { once: true });
    stream.write(message, written);
  });
}
