import { assert, assertNonNegativeInteger, RaftlogError, type Clock, type Timer } from '../lib/index.js';
import { ByteLedger, type LedgerWaiter } from './byte-ledger.js';
import { NodeResponseBudget } from './node-response-budget.js';
import { wireClock } from './wire-clock.js';

/** Room a call holds for one response, in its connection's and the node's budgets; given back once. */
export interface ResponseHold {
  /**
   * Holds exactly `bytes` from now on: gives back what a smaller response left of its reservation,
   * and takes what a larger one (a Lease of one message above its reservation) holds beyond it, at
   * once and past the limits if need be, since the answer holds those bytes either way.
   */
  resizeTo(bytes: number): void;
  release(): void;
}

/**
 * What a call reserves from its connection's and the node's budgets. What it holds goes back once
 * the call is over (its answer went out, or it was cancelled) and its handler has returned: a
 * cancelled call's read still in flight keeps its room, so cancelled calls cannot start more reads
 * than the budget holds.
 */
export interface CallBudget {
  /** Resolves once its connection and the node have room; rejects with the signal's reason if it aborts. */
  reserve(bytes: number, signal: AbortSignal): Promise<ResponseHold>;
  /** The call is over: its status went out or it was cancelled. Waiting reservations are dropped. */
  callEnded(): void;
  /** The handler returned (or its stream ended). */
  handlerDone(): void;
}

/** For calls on a server without budgets (tests, internal servers): every reservation is granted. */
export const unlimitedCallBudget: CallBudget = {
  reserve: () => Promise.resolve({ resizeTo: () => {}, release: () => {} }),
  callEnded: () => {},
  handlerDone: () => {},
};

/** One connection's ledger, how many of its calls have reserved and not ended, and its answers held. */
interface Connection {
  readonly ledger: ByteLedger;
  calls: number;
  /** Admitted at the node too (not those still waiting there), until given back. */
  readonly holds: Set<Hold>;
  /** Asked to close as stalled: not asked again. */
  closing: boolean;
}

/**
 * A connection holding an answer that HTTP/2 has not taken for msMax while other calls wait for the
 * node's room is closed, as NATS closes a slow consumer past its write deadline: otherwise a few
 * clients that ask and never read hold the node's budget, and every other fetch and lease, for as
 * long as they stay connected.
 */
export interface StallPolicy {
  readonly msMax: number;
  /** Closes the connection (its key as given to forCall); false when it was gone already. */
  readonly close: (connection: string) => boolean;
}

export interface ResponseBudgetOptions {
  /** The listener's node-wide budget; no node-wide limit when absent. */
  readonly node?: NodeResponseBudget;
  /** Admissions run on a later turn of this clock; stalls are timed by it. */
  readonly clock?: Clock;
  /** No connection is closed for holding its answers when absent. */
  readonly stall?: StallPolicy;
}

/**
 * Bytes of responses a server holds for each connection, and with `node` for the whole node: a
 * handler reserves them before it reads what a response will carry, and gets them back once HTTP/2
 * took the response (a stream's push was written, a unary call's status went out after its message)
 * or the call ended. grpc-js puts no backpressure on a unary answer: without this, a client that never
 * reads keeps every answer it asked for in the node (256 calls of 8 MiB on one connection: 2 GiB).
 */
export class ResponseBudgets {
  private readonly connections = new Map<string, Connection>();
  private readonly nodeBudget: NodeResponseBudget;
  private readonly node: ByteLedger;
  private readonly clock: Clock;
  private readonly stall: StallPolicy | undefined;
  private stallWatch: Timer | undefined;

  constructor(
    private readonly bytesPerConnectionMax: number,
    options: ResponseBudgetOptions = {},
  ) {
    assert(bytesPerConnectionMax > 0, 'a connection response budget must be positive');
    this.clock = options.clock ?? wireClock;
    this.nodeBudget = options.node ?? new NodeResponseBudget(Number.POSITIVE_INFINITY, this.clock);
    this.node = this.nodeBudget.ledger;
    this.stall = options.stall;
    if (this.stall !== undefined) assert(this.stall.msMax > 0, 'a response stall limit must be positive');
  }

  /** The budget of one call on `connection` (any key unique to the connection, such as its peer address). */
  forCall(connection: string): CallBudget {
    let joined: Connection | undefined;
    const holds = new Set<Hold>();
    // Aborted at the call's end, so a reservation still waiting then is dropped instead of admitted late.
    const ended = new AbortController();
    const join = (): Connection => {
      if (joined !== undefined) return joined;
      joined = this.connections.get(connection) ?? {
        ledger: new ByteLedger(this.bytesPerConnectionMax, this.clock),
        calls: 0,
        holds: new Set(),
        closing: false,
      };
      this.connections.set(connection, joined);
      joined.calls += 1;
      return joined;
    };
    let handlerOver = false;
    const releaseOnceBoth = (): void => {
      if (!handlerOver || !ended.signal.aborted || joined === undefined) return;
      for (const hold of [...holds]) hold.release();
      joined.calls -= 1;
      if (joined.calls === 0) this.connections.delete(connection);
      joined = undefined;
    };
    return {
      reserve: async (bytes, signal) => {
        assertNonNegativeInteger(bytes, 'reserved response bytes');
        if (ended.signal.aborted) throw callEnded();
        const own = join();
        const ledgers = { connection: own.ledger, node: this.node };
        await admitted(ledgers, bytes, [signal, ended.signal], () => this.watchStalls());
        if (ended.signal.aborted) {
          // Admitted as the call ended (its own releases made the room): nobody will give it back.
          giveBoth(ledgers, bytes);
          throw callEnded();
        }
        return new Hold(ledgers, bytes, [holds, own.holds], this.clock.now());
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

  /** Called as a reservation starts waiting at the node: watches for stalled connections until none waits. */
  private watchStalls(): void {
    if (this.stall === undefined || this.stallWatch !== undefined) return;
    this.sweepStalls(this.stall);
  }

  private sweepStalls(stall: StallPolicy): void {
    this.stallWatch = undefined;
    if (this.node.waitingCount === 0) return;
    const now = this.clock.now();
    let nextDue = Number.POSITIVE_INFINITY;
    for (const [key, connection] of this.connections) {
      if (connection.closing) continue;
      const due = oldestHeldAt(connection.holds) + stall.msMax;
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      connection.closing = true;
      // Its calls end as the connection goes, and give back what they hold.
      if (stall.close(key)) this.nodeBudget.countStalledClose();
    }
    if (nextDue !== Number.POSITIVE_INFINITY) {
      this.stallWatch = this.clock.after(nextDue - now, () => this.sweepStalls(stall));
    }
  }

  /** Connections with a call that reserved and has not ended (tests check nothing is left behind). */
  get connectionCount(): number {
    return this.connections.size;
  }
}

const callEnded = (): RaftlogError => new RaftlogError('CANCELLED', 'the call ended');

interface Ledgers {
  readonly connection: ByteLedger;
  readonly node: ByteLedger;
}

const giveBoth = (ledgers: Ledgers, bytes: number): void => {
  ledgers.connection.give(bytes);
  ledgers.node.give(bytes);
};

/**
 * Takes `bytes` of the connection's ledger, then of the node's, each at once when they fit and
 * nobody waits ahead there, else queued until they do or a signal aborts. Only reservations their
 * connection has room for queue at the node, holding that room meanwhile: a connection whose own
 * client reads nothing waits in its own queue and never blocks other connections' answers at the
 * node, and a connection has at most the answers its budget holds in the node's queue. Listeners
 * rather than AbortSignal.any: a stream reserves every round, and each round must let go of the
 * call's signal once admitted.
 */
function admitted(
  ledgers: Ledgers,
  bytes: number,
  signals: readonly AbortSignal[],
  onNodeWait: () => void,
): Promise<void> {
  const aborted = signals.find((s) => s.aborted);
  if (aborted !== undefined) return Promise.reject(aborted.reason as Error);
  const { connection, node } = ledgers;
  const tookConnection = connection.tryTake(bytes);
  if (tookConnection && node.tryTake(bytes)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let queuedAt: ByteLedger | undefined;
    const stopListening = (): void => {
      for (const s of signals) s.removeEventListener('abort', abort);
    };
    const onNode: LedgerWaiter = {
      bytes,
      admit: () => {
        stopListening();
        resolve();
      },
    };
    const toNode = (): void => {
      if (node.tryTake(bytes)) return onNode.admit();
      queuedAt = node;
      node.enqueue(onNode);
      onNodeWait();
    };
    const onConnection: LedgerWaiter = { bytes, admit: toNode };
    const abort = (event: Event): void => {
      stopListening();
      if (queuedAt === connection) connection.remove(onConnection);
      else if (queuedAt === node && node.remove(onNode)) connection.give(bytes);
      reject((event.target as AbortSignal).reason as Error);
    };
    for (const s of signals) s.addEventListener('abort', abort, { once: true });
    if (tookConnection) {
      toNode();
    } else {
      queuedAt = connection;
      connection.enqueue(onConnection);
    }
  });
}

/** Bytes one answer holds in both ledgers, listed in its call's and its connection's holds until released. */
class Hold implements ResponseHold {
  constructor(
    private readonly ledgers: Ledgers,
    private bytes: number,
    private readonly holdsOf: readonly [call: Set<Hold>, connection: Set<Hold>],
    readonly admittedAt: number,
  ) {
    for (const holds of holdsOf) holds.add(this);
  }

  resizeTo(bytes: number): void {
    assertNonNegativeInteger(bytes, 'held response bytes');
    if (!this.holdsOf[0].has(this)) return;
    if (bytes > this.bytes) {
      this.ledgers.connection.takeAnyway(bytes - this.bytes);
      this.ledgers.node.takeAnyway(bytes - this.bytes);
    } else {
      giveBoth(this.ledgers, this.bytes - bytes);
    }
    this.bytes = bytes;
  }

  release(): void {
    const [call, connection] = this.holdsOf;
    if (!call.delete(this)) return;
    connection.delete(this);
    const freed = this.bytes;
    this.bytes = 0;
    giveBoth(this.ledgers, freed);
  }
}

/** When the longest-held answer was admitted; +Infinity when none is held. */
function oldestHeldAt(holds: ReadonlySet<Hold>): number {
  let oldest = Number.POSITIVE_INFINITY;
  for (const hold of holds) oldest = Math.min(oldest, hold.admittedAt);
  return oldest;
}
