/**
 * Time as the node sees it: wall time, sleeps and timers, injected by the process (src/server) so
 * nothing below src/ reads the wall clock or sets timers itself, and a simulator can drive it.
 * `ManualClock` is the deterministic twin.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Runs `fn` once after `ms`; never keeps the process alive on its own. */
  after(ms: number, fn: () => void): Timer;
  /** Runs `fn` every `ms` until cancelled; never keeps the process alive on its own. */
  every(ms: number, fn: () => void): Timer;
  /** Runs `fn` on a later turn of the event loop, after pending I/O (a yield, not a delay). */
  soon(fn: () => void): Timer;
}

export interface Timer {
  /** Idempotent; a cancelled timer never fires. */
  cancel(): void;
}

/**
 * `Clock.sleep` built on a clock's own `after`, for clocks that are not the system's. `wakeOnAbort`
 * says whether an abort still resolves the sleep (a dead simulated process's sleeps never end).
 */
export function sleepAfter(
  after: (ms: number, fn: () => void) => Timer,
  ms: number,
  signal?: AbortSignal,
  wakeOnAbort: () => boolean = () => true,
): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = after(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      timer.cancel();
      if (wakeOnAbort()) resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
