import type { NodeClock } from '../../cluster/node/node-clock.js';

/** The process's wall clock and timers, handed to the node (nothing below src/ reads them itself). */
export const systemClock: NodeClock = {
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
};
