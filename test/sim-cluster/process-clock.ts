import { sleepAfter, type Clock, type ManualClock, type Timer } from '../../lib/index.js';

/**
 * One node process's view of the shared simulated clock. Killing it models the process dying: none of
 * its timers fire again and none of its sleeps resolve, so the dead incarnation's code stays frozen
 * instead of running on beside its successor.
 */
export class ProcessClock implements Clock {
  private alive = true;

  constructor(private readonly base: ManualClock) {}

  kill(): void {
    this.alive = false;
  }

  now(): number {
    return this.base.now();
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepAfter(
      (m, fn) => this.after(m, fn),
      ms,
      signal,
      () => this.alive,
    );
  }

  after(ms: number, fn: () => void): Timer {
    return this.base.after(ms, () => this.alive && fn());
  }

  every(ms: number, fn: () => void): Timer {
    const timer: Timer = this.base.every(ms, () => {
      if (this.alive) fn();
      else timer.cancel();
    });
    return timer;
  }

  soon(fn: () => void): Timer {
    return this.base.soon(() => this.alive && fn());
  }
}
