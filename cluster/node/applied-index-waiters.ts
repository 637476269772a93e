import { RaftlogError, type Clock, type Timer } from '../../lib/index.js';

interface Waiter {
  readonly index: number;
  readonly resolve: () => void;
  readonly reject: (error: RaftlogError) => void;
  readonly timer: Timer;
}

/**
 * Callers waiting for a replica to apply a log index: each is resolved by the apply that reaches its
 * index, or rejected at its deadline or when the replica stops. Nothing polls, and a settled waiter
 * leaves no timer behind.
 */
export class AppliedIndexWaiters {
  private readonly waiting = new Set<Waiter>();
  private reached = 0;

  constructor(private readonly clock: Pick<Clock, 'after'>) {}

  /** Waiters not settled yet. */
  get pendingCount(): number {
    return this.waiting.size;
  }

  /** Resolves once `applied` reports `index` or beyond; TIMEOUT after `timeoutMs`. */
  wait(index: number, timeoutMs: number): Promise<void> {
    if (index <= this.reached) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        index,
        resolve,
        reject,
        timer: this.clock.after(timeoutMs, () =>
          this.settle(
            waiter,
            new RaftlogError('TIMEOUT', `entry ${index} not applied here in ${timeoutMs} ms`),
          ),
        ),
      };
      this.waiting.add(waiter);
    });
  }

  /** The replica has applied every entry up to `index`. */
  applied(index: number): void {
    if (index <= this.reached) return;
    this.reached = index;
    for (const w of [...this.waiting]) if (w.index <= index) this.settle(w);
  }

  /** Rejects every waiter (the node is stopping). */
  failAll(error: RaftlogError): void {
    for (const w of [...this.waiting]) this.settle(w, error);
  }

  private settle(waiter: Waiter, error?: RaftlogError): void {
    if (!this.waiting.delete(waiter)) return;
    waiter.timer.cancel();
    if (error === undefined) waiter.resolve();
    else waiter.reject(error);
  }
}
