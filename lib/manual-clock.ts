import { assert } from './assert.js';
import { sleepAfter, type Clock, type Timer } from './clock.js';

interface Pending {
  readonly id: number;
  dueMs: number;
  readonly everyMs: number | undefined;
  readonly fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when told: timers fire in due order (ties in the order they were set)
 * during `advance`, so a test or a simulation replays exactly.
 */
export class ManualClock implements Clock {
  private nowMs: number;
  private nextId = 0;
  private pending: Pending[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepAfter((m, fn) => this.after(m, fn), ms, signal);
  }

  after(ms: number, fn: () => void): Timer {
    return this.schedule(ms, undefined, fn);
  }

  every(ms: number, fn: () => void): Timer {
    assert(ms > 0, 'a repeating timer needs a positive period');
    return this.schedule(ms, ms, fn);
  }

  soon(fn: () => void): Timer {
    return this.schedule(0, undefined, fn);
  }

  /** Timers not yet fired or cancelled. */
  get pendingCount(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }

  /** When the next timer is due, or undefined when none is set. */
  nextDueMs(): number | undefined {
    return this.earliest()?.dueMs;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    assert(ms >= 0, 'time only moves forward');
    const target = this.nowMs + ms;
    for (let next = this.earliest(); next !== undefined && next.dueMs <= target; next = this.earliest()) {
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      this.fire(next);
    }
    this.nowMs = target;
  }

  private schedule(ms: number, everyMs: number | undefined, fn: () => void): Timer {
    assert(Number.isFinite(ms) && ms >= 0, 'a timer delay is a finite, non-negative number');
    const entry: Pending = { id: this.nextId++, dueMs: this.nowMs + ms, everyMs, fn, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  private earliest(): Pending | undefined {
    this.pending = this.pending.filter((p) => !p.cancelled);
    let best: Pending | undefined;
    for (const p of this.pending)
      if (best === undefined || p.dueMs < best.dueMs || (p.dueMs === best.dueMs && p.id < best.id)) best = p;
    return best;
  }

  private fire(entry: Pending): void {
    if (entry.everyMs === undefined) entry.cancelled = true;
    else entry.dueMs += entry.everyMs;
    entry.fn();
  }
}
