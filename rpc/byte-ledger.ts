import { assert, type Clock, type Timer } from '../lib/index.js';

/** A reservation queued on a ledger; `admit` runs once its bytes were taken for it. */
export interface LedgerWaiter {
  readonly bytes: number;
  readonly admit: () => void;
}

/**
 * Bytes held against a limit, and the reservations waiting for room in arrival order. A ledger
 * holding nothing always admits, so one reservation larger than the limit still goes, alone.
 */
export class ByteLedger {
  private held = 0;
  private readonly waiting: LedgerWaiter[] = [];
  private admitting: Timer | undefined;

  constructor(
    private readonly bytesMax: number,
    private readonly clock: Clock,
  ) {
    assert(bytesMax > 0, 'a response byte limit must be positive');
  }

  get heldBytes(): number {
    return this.held;
  }

  /** Reservations queued for room. */
  get waitingCount(): number {
    return this.waiting.length;
  }

  /** Takes the bytes when they fit and nobody waits ahead (first come, first served). */
  tryTake(bytes: number): boolean {
    if (this.waiting.length > 0 || !this.fits(bytes)) return false;
    this.held += bytes;
    return true;
  }

  /** Counts bytes already held whether or not they fit (an answer larger than its reservation). */
  takeAnyway(bytes: number): void {
    this.held += bytes;
  }

  enqueue(waiter: LedgerWaiter): void {
    this.waiting.push(waiter);
  }

  /** Drops a waiter that gave up; false when it was already admitted (or never queued). */
  remove(waiter: LedgerWaiter): boolean {
    const i = this.waiting.indexOf(waiter);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    // The head leaving may make room for the one behind it.
    this.give(0);
    return true;
  }

  /**
   * Takes bytes back, and lets waiting reservations in on a later turn: a client that drops its
   * connection cancels its calls one event at a time, and each cancellation gives back room that
   * would otherwise go at once to a call whose cancellation is next in line (it would read 8 MiB for
   * nobody, and so on down the queue).
   */
  give(bytes: number): void {
    this.held -= bytes;
    assert(this.held >= 0, 'a ledger was given back more response bytes than it held');
    if (this.waiting.length > 0 && this.admitting === undefined) {
      this.admitting = this.clock.soon(() => this.admitWaiting());
    }
  }

  private fits(bytes: number): boolean {
    return this.held === 0 || this.held + bytes <= this.bytesMax;
  }

  /** In arrival order: a large reservation is not passed over by smaller ones for ever. */
  private admitWaiting(): void {
    this.admitting = undefined;
    for (let next = this.waiting[0]; next !== undefined && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.held += next.bytes;
      next.admit();
    }
  }
}
