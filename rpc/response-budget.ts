import { assert, assertNonNegativeInteger, RaftlogError, type Clock, type Timer } from '../lib/index.js';
import { wireClock } from './wire-clock.js';

/** Part of a connection's budget a call holds for one response; given back once, however often asked. */
export interface ResponseHold {
  /** Keeps only `bytes` of what was reserved (a response came out smaller than its reservation). */
  shrinkTo(bytes: number): void;
  release(): void;
}

/**
 * What a call reserves from its connection's budget. What it holds goes back once the call is over
 * (its answer went out, or it was cancelled) and its handler has returned: a cancelled call's read
 * still in flight keeps its room, so cancelled calls cannot start more reads than the budget holds.
 */
export interface CallBudget {
  /** Resolves once the connection has room; rejects with the signal's reason if it aborts first. */
  reserve(bytes: number, signal: AbortSignal): Promise<ResponseHold>;
  /** The call is over: its status went out or it was cancelled. Waiting reservations are dropped. */
  callEnded(): void;
  /** The handler returned (or its stream ended). */
  handlerDone(): void;
}

/** For calls on a server without budgets (tests, internal servers): every reservation is granted. */
export const unlimitedCallBudget: CallBudget = {
  reserve: () => Promise.resolve({ shrinkTo: () => {}, release: () => {} }),
  callEnded: () => {},
  handlerDone: () => {},
};

interface Waiter {
  readonly bytes: number;
  readonly admit: () => void;
}

/** One connection's ledger: bytes held by its calls' responses, and the reservations waiting for room. */
class ConnectionLedger {
  heldBytes = 0;
  calls = 0;
  readonly waiting: Waiter[] = [];
  private admitting: Timer | undefined;

  constructor(
    private readonly bytesMax: number,
    private readonly clock: Clock,
  ) {}

  /** A connection holding nothing always admits, so a response above the budget still goes, alone. */
  fits(bytes: number): boolean {
    return this.heldBytes === 0 || this.heldBytes + bytes <= this.bytesMax;
  }

  /**
   * Takes bytes back, and lets waiting reservations in on a later turn: a client that drops its
   * connection cancels its calls one event at a time, and each cancellation gives back room that
   * would otherwise go at once to a call whose cancellation is next in line (it would read 8 MiB for
   * nobody, and so on down the queue).
   */
  give(bytes: number): void {
    this.heldBytes -= bytes;
    assert(this.heldBytes >= 0, 'a connection gave back more response bytes than it held');
    if (this.waiting.length > 0 && this.admitting === undefined) {
      this.admitting = this.clock.soon(() => this.admitWaiting());
    }
  }

  /** First come, first served: a large reservation is not passed over by smaller ones for ever. */
  private admitWaiting(): void {
    this.admitting = undefined;
    for (let next = this.waiting[0]; next !== undefined && this.fits(next.bytes); next = this.waiting[0]) {
      this.waiting.shift();
      this.heldBytes += next.bytes;
      next.admit();
    }
  }
}

/**
 * Bytes of responses a server holds for each connection: a handler reserves them before it reads
 * what a response will carry, and gets them back once HTTP/2 took the response (a stream's push was
 * written, a unary call's status went out after its message) or the call ended. grpc-js puts no
 * backpressure on a unary answer: without this, a client that never reads keeps every answer it asked
 * for in the node (256 calls of 8 MiB on one connection: 2 GiB).
 */
export class ResponseBudgets {
  private readonly connections = new Map<string, ConnectionLedger>();

  constructor(
    private readonly bytesPerConnectionMax: number,
    private readonly clock: Clock = wireClock,
  ) {
    assert(bytesPerConnectionMax > 0, 'a connection response budget must be positive');
  }

  /** The budget of one call on `connection` (any key unique to the connection, such as its peer address). */
  forCall(connection: string): CallBudget {
    let ledger: ConnectionLedger | undefined;
    const holds = new Set<Hold>();
    // Aborted at the call's end, so a reservation still waiting then is dropped instead of admitted late.
    const ended = new AbortController();
    const ledgerOf = (): ConnectionLedger => {
      if (ledger !== undefined) return ledger;
      ledger =
        this.connections.get(connection) ?? new ConnectionLedger(this.bytesPerConnectionMax, this.clock);
      this.connections.set(connection, ledger);
      ledger.calls += 1;
      return ledger;
    };
    let handlerOver = false;
    const releaseOnceBoth = (): void => {
      if (!handlerOver || !ended.signal.aborted || ledger === undefined) return;
      for (const hold of [...holds]) hold.release();
      ledger.calls -= 1;
      if (ledger.calls === 0) this.connections.delete(connection);
      ledger = undefined;
    };
    return {
      reserve: async (bytes, signal) => {
        assertNonNegativeInteger(bytes, 'reserved response bytes');
        if (ended.signal.aborted) throw callEnded();
        const held = ledgerOf();
        await admitted(held, bytes, [signal, ended.signal]);
        if (ended.signal.aborted) {
          // Admitted as the call ended (its own releases made the room): nobody will give it back.
          held.give(bytes);
          throw callEnded();
        }
        const hold = new Hold(held, bytes, holds);
        holds.add(hold);
        return hold;
      },
      callEnded: () => {
        if (ended.signal.aborted) return;
        ended.abort(callEnded());
        releaseOnceBoth();
      },
      handlerDone: () => {
        handlerOver = true;
        releaseOnceBoth();
      },
    };
  }

  /** Connections with a call that reserved and has not ended (tests check nothing is left behind). */
  get connectionCount(): number {
    return this.connections.size;
  }
}

const callEnded = (): RaftlogError => new RaftlogError('CANCELLED', 'the call ended');

/**
 * Takes `bytes` of the ledger at once when they fit and nobody waits ahead, else queues until they do
 * or a signal aborts. Listeners rather than AbortSignal.any: a stream reserves every round, and each
 * round must let go of the call's signal once admitted.
 */
function admitted(ledger: ConnectionLedger, bytes: number, signals: readonly AbortSignal[]): Promise<void> {
  const aborted = signals.find((s) => s.aborted);
  if (aborted !== undefined) return Promise.reject(aborted.reason as Error);
  if (ledger.waiting.length === 0 && ledger.fits(bytes)) {
    ledger.heldBytes += bytes;
    return Promise.resolve();
  }
  return new Promise((resolve, reject) => {
    const stopListening = (): void => {
      for (const s of signals) s.removeEventListener('abort', abort);
    };
    const abort = (event: Event): void => {
      stopListening();
      const i = ledger.waiting.indexOf(waiter);
      if (i >= 0) ledger.waiting.splice(i, 1);
      // The head leaving may make room for the one behind it.
      ledger.give(0);
      reject((event.target as AbortSignal).reason as Error);
    };
    const waiter: Waiter = {
      bytes,
      admit: () => {
        stopListening();
        resolve();
      },
    };
    ledger.waiting.push(waiter);
    for (const s of signals) s.addEventListener('abort', abort, { once: true });
  });
}

class Hold implements ResponseHold {
  constructor(
    private readonly ledger: ConnectionLedger,
    private bytes: number,
    private readonly holds: Set<Hold>,
  ) {}

  shrinkTo(bytes: number): void {
    if (bytes >= this.bytes) return;
    const freed = this.bytes - Math.max(0, bytes);
    this.bytes -= freed;
    this.ledger.give(freed);
  }

  release(): void {
    if (!this.holds.delete(this)) return;
    const freed = this.bytes;
    this.bytes = 0;
    this.ledger.give(freed);
  }
}
