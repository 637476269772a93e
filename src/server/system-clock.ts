import type { Clock, Timer } from '../../lib/index.js';

const unrefTimer = (handle: NodeJS.Timeout, clear: (h: NodeJS.Timeout) => void): Timer => {
  handle.unref();
  return { cancel: () => clear(handle) };
};

/** The process's wall clock and timers, handed to the node (nothing below src/ reads them itself). */
export const systemClock: Clock = {
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
