import type { Clock, Timer } from '../lib/index.js';

const unrefTimer = (handle: NodeJS.Timeout, clear: (h: NodeJS.Timeout) => void): Timer => {
  handle.unref();
  return { cancel: () => clear(handle) };
};

/**
 * The wall clock and timers, the one place below src/ that reads them: grpc-js keeps call deadlines
 * as wall-clock instants and runs its own timers, so an adapter around it cannot run on simulated time.
 * The rpc functions use it when no clock is passed; the process hands it to the node as its clock.
 */
export const wireClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal?.addEventListener('abort', done, { once: true });
    }),
  after: (ms, fn) => unrefTimer(setTimeout(fn, ms), clearTimeout),
  every: (ms, fn) => unrefTimer(setInterval(fn, ms), clearInterval),
  soon: (fn) => {
    const handle = setImmediate(fn);
    return { cancel: () => clearImmediate(handle) };
  },
};
