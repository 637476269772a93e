import type { LeaseOutcome } from './lease-settler.js';
import { leaseKey, type LeaseRef } from './queue-receipt.js';

type Extend = (ref: LeaseRef, visibilityTimeoutMs: number) => Promise<LeaseOutcome>;

interface Tracked {
  readonly ref: LeaseRef;
  readonly visibilityTimeoutMs: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Keeps leases alive while their messages are being handled: each is extended by its original
 * visibility timeout when half of what is left has passed, so one lost or slow extension still
 * leaves time for the next. Stops at the first non-retriable answer (the lease is gone).
 */
export class LeaseExtender {
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly extend: Extend,
    private readonly now: () => number = Date.now,
  ) {}

  track(ref: LeaseRef, leaseExpiresAtMs: number, visibilityTimeoutMs: number): void {
    const t: Tracked = { ref, visibilityTimeoutMs, timer: undefined };
    this.untrack(ref);
    this.tracked.set(leaseKey(ref), t);
    this.schedule(t, leaseExpiresAtMs);
  }

  untrack(ref: LeaseRef): void {
    const key = leaseKey(ref);
    clearTimeout(this.tracked.get(key)?.timer);
    this.tracked.delete(key);
  }

  get size(): number {
    return this.tracked.size;
  }

  close(): void {
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    this.tracked.clear();
  }

  private schedule(t: Tracked, expiresAtMs: number): void {
    const left = expiresAtMs - this.now();
    if (left <= 0) {
      this.tracked.delete(leaseKey(t.ref));
      return;
    }
    t.timer = setTimeout(() => void this.renew(t, expiresAtMs), Math.floor(left / 2));
  }

  private async renew(t: Tracked, expiresAtMs: number): Promise<void> {
    const outcome = await this.extend(t.ref, t.visibilityTimeoutMs);
    if (this.tracked.get(leaseKey(t.ref)) !== t) return;
    if (outcome.ok) this.schedule(t, outcome.leaseExpiresAtMs);
    else if (outcome.error.retriable) this.schedule(t, expiresAtMs);
    else this.tracked.delete(leaseKey(t.ref));
  }
}
