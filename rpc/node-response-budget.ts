import type { Clock } from '../lib/index.js';
import { ByteLedger } from './byte-ledger.js';
import { wireClock } from './wire-clock.js';

/**
 * Bytes of responses the whole node holds, over every connection of every server given it
 * (ResponseBudgets' `node`): the per-connection budgets alone let 1,024 connections that never read
 * hold 1,024 times theirs. A reservation is admitted once it fits both its connection's budget and
 * this one; an answer larger than this budget still goes, alone, when the node holds nothing.
 */
export class NodeResponseBudget {
  /** Reservations reach it only once their connection has room (response-budget.ts). */
  readonly ledger: ByteLedger;
  private stalledClosed = 0;

  constructor(bytesMax: number, clock: Clock = wireClock) {
    this.ledger = new ByteLedger(bytesMax, clock);
  }

  /** Bytes held for responses read and not yet taken by HTTP/2, over all connections. */
  get heldBytes(): number {
    return this.ledger.heldBytes;
  }

  /** Connections closed for holding an answer past the stall limit while others waited (StallPolicy). */
  get stalledConnectionsClosed(): number {
    return this.stalledClosed;
  }

  countStalledClose(): void {
    this.stalledClosed += 1;
  }
}
