import type { Writable } from 'node:stream';

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
