import type { Readable } from 'node:stream';
import { BoundedQueue, type Clock } from '../lib/index.js';

export interface BoundedReaderOptions<T> {
  /** Messages held before the call is paused (grpc-js then stops reading and HTTP/2 pushes back). */
  readonly capacityItems: number;
  /** Turns an 'error' event into what the consumer sees, after the messages received before it. */
  readonly mapError: (error: unknown) => Error;
  /** Ends the iteration at once with the signal's reason. */
  readonly signal?: AbortSignal;
  /** An error for a message that must end the iteration (after the ones before it), else undefined. */
  readonly reject?: (message: T) => Error | undefined;
  /** Gives the turn that separates an 'end' from the cancel grpc-js reports just after it. */
  readonly clock: Clock;
}

/**
 * The messages of a grpc-js readable call as an AsyncIterable that never holds more than
 * `capacityItems` (plus the stream's own small object buffer). Listeners attach at once, so an error
 * that arrives before the first `next()` is neither lost nor unhandled.
 */
export function readBounded<T>(stream: Readable, options: BoundedReaderOptions<T>): AsyncIterable<T> {
  const queue = new BoundedQueue<T>(options.capacityItems);
  const resumeAt = Math.floor(options.capacityItems / 2);
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const onData = (message: T): void => {
    if (failure !== undefined) return;
    const refused = options.reject?.(message);
    if (refused !== undefined) {
      failure = refused;
      notify();
      return;
    }
    queue.push(message);
    if (queue.isFull()) stream.pause();
    notify();
  };
  // A client's cancel can surface as 'end' just before grpc-js reports it: look one turn later, so a
  // cancelled call reads as cancelled rather than as a clean half-close.
  const onEnd = (): void => {
    options.clock.soon(() => {
      ended = true;
      notify();
    });
  };
  const onError = (error: unknown): void => {
    failure ??= options.mapError(error);
    stream.resume();
    notify();
  };
  const onAbort = (): void => {
    failure = toError(options.signal?.reason);
    ended = true;
    queue.clear();
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.on('error', onError);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) onAbort();
  const detach = (): void => {
    stream.off('data', onData);
    stream.off('end', onEnd);
    options.signal?.removeEventListener('abort', onAbort);
  };

  async function* iterate(): AsyncGenerator<T> {
    try {
      for (;;) {
        const message = queue.shift();
        if (message !== undefined) {
          if (stream.isPaused() && queue.length <= resumeAt && failure === undefined) stream.resume();
          yield message;
          continue;
        }
        if (failure !== undefined && (ended || stream.readableLength === 0)) throw failure;
        if (ended) return;
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      detach();
    }
  }
  return { [Symbol.asyncIterator]: iterate };
}

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}
