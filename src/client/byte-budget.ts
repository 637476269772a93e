import { RaftlogError } from '../../lib/index.js';

/**
 * A byte allowance shared by everything a producer holds in memory. Waiters are served strictly in
 * order, so a big record is not starved by a stream of small ones and send() order is kept.
 */
export class ByteBudget {
  private used = 0;
  private readonly waiters: { bytes: number; resolve: () => void; reject: (e: Error) => void }[] = [];

  constructor(readonly capacityBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  acquire(bytes: number): Promise<void> {
    if (bytes > this.capacityBytes) {
      return Promise.reject(
        new RaftlogError(
          'MESSAGE_TOO_LARGE',
          `a record of ${bytes} bytes exceeds bufferBytesMax ${this.capacityBytes}`,
        ),
      );
    }
    if (this.waiters.length === 0 && this.used + bytes <= this.capacityBytes) {
      this.used += bytes;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.waiters.push({ bytes, resolve, reject }));
  }

  /** Takes `bytes` now if that needs no wait (nobody queued, room left); false otherwise. */
  tryAcquire(bytes: number): boolean {
    if (this.waiters.length > 0 || this.used + bytes > this.capacityBytes) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
    while (this.waiters.length > 0) {
      const next = this.waiters[0]!;
      if (this.used + next.bytes > this.capacityBytes) break;
      this.waiters.shift();
      this.used += next.bytes;
      next.resolve();
    }
  }

  /** Fails every waiter (the producer is closing). */
  rejectWaiters(error: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(error);
  }
}
