import type { AckOp, EnqueueOp, Key, LeaseOp, NackOp } from '../history/index.js';
import type { AnomalyLog } from './anomaly-log.js';
import { MalformedHistoryError } from './malformed-history-error.js';
import { QueueTally } from './queue-tally.js';
import type { QueueSummary, SettleCounts } from './types.js';

type Outcome = 'ok' | 'fail' | 'info';

/**
 * Per-lease answers that prove an ack did not take effect: the lease had run out and the message was
 * leased again since (an acked message is never leased again, and acking it again answers ok).
 * UNKNOWN_LEASE names a lease the message never had (errors.proto), which proves nothing about this
 * ack, so like NOT_LEADER after a proposal, or a timeout, it leaves the ack's outcome unknown.
 */
const notAcked: ReadonlySet<string> = new Set(['LEASE_EXPIRED']);

/** What the history shows of one enqueued value. Positions are indices into the history array. */
interface Message {
  readonly key: Key;
  readonly value: string;
  enqueue: Outcome | 'pending';
  enqueueAt: number;
  offset: number | undefined;
  deliveries: number;
  lastLeaseInvokeAt: number;
  lastLeaseAt: number;
  /** Completion of the first ack acknowledged for this message. */
  ackedAt: number;
  /** Invoke of the latest ack whose outcome for this message is unknown. */
  unknownAckInvokeAt: number;
}

/**
 * The queue workload's facts, fed in history order: what was enqueued, leased and acked. A
 * redelivery is judged as it is seen (an ack acknowledged before the lease was even invoked proves
 * the broker handed out an acked message); losses only once the whole history is known.
 */
export class QueueFacts {
  private readonly messages = new Map<string, Message>();
  private readonly tally = new QueueTally();

  constructor(private readonly log: AnomalyLog) {}

  get seen(): boolean {
    return this.tally.seen;
  }

  enqueueInvoked(op: EnqueueOp, at: number): void {
    if (this.messages.has(op.value))
      throw new MalformedHistoryError(op.index, `value ${op.value} enqueued twice`);
    this.messages.set(op.value, {
      key: op.key,
      value: op.value,
      enqueue: 'pending',
      enqueueAt: at,
      offset: undefined,
      deliveries: 0,
      lastLeaseInvokeAt: -1,
      lastLeaseAt: -1,
      ackedAt: -1,
      unknownAckInvokeAt: -1,
    });
    this.tally.seen = true;
  }

  enqueueCompleted(done: EnqueueOp, outcome: Outcome, at: number): void {
    const m = this.messages.get(done.value);
    if (m === undefined)
      throw new MalformedHistoryError(done.index, `enqueue of ${done.value} was not invoked`);
    m.enqueue = outcome;
    m.enqueueAt = at;
    m.offset = done.offset;
    this.tally.enqueued[outcome]++;
  }

  leased(done: LeaseOp, at: number, invokeAt: number): void {
    this.tally.seen = true;
    for (const lease of done.leases ?? []) {
      const m = this.messages.get(lease.value);
      if (m?.key !== done.key) {
        const message = (): string =>
          `message ${lease.value} was leased at offset ${lease.offset} (lease ${lease.leaseId}) but never enqueued to ${done.key}`;
        this.log.add('unexpected', done.key, message, [at]);
        continue;
      }
      this.delivered(m, lease.leaseId, at, invokeAt);
    }
  }

  /** An ack or nack completed; only acks change what is known of a message. */
  settled(
    invoke: AckOp | NackOp,
    done: AckOp | NackOp,
    outcome: Outcome,
    at: number,
    invokeAt: number,
  ): void {
    this.tally.seen = true;
    invoke.leases.forEach((lease, i) => {
      const kind = settleKind(outcome, done.outcomes?.[i]);
      this.tally.settle(invoke.f, kind);
      const m = this.messages.get(lease.value);
      if (invoke.f !== 'ack' || m === undefined) return;
      if (kind === 'ok' && m.ackedAt < 0) m.ackedAt = at;
      if (kind === 'unknown') m.unknownAckInvokeAt = invokeAt;
    });
  }

  /** Judges what needs the whole history, and sums up the run. */
  finish(): QueueSummary {
    let ackUnknown = 0;
    for (const m of this.messages.values()) {
      if (m.enqueue === 'fail' && m.deliveries > 0) this.reportFailedButLeased(m);
      if (m.enqueue !== 'ok' && m.deliveries === 0) continue;
      this.tally.countDeliveries(m.deliveries);
      if (m.enqueue !== 'ok' || m.ackedAt >= 0) continue;
      // An ack of unknown outcome may have taken effect, unless the message was leased again after it.
      if (m.unknownAckInvokeAt > m.lastLeaseInvokeAt) ackUnknown++;
      else this.reportLost(m);
    }
    return this.tally.summary(ackUnknown);
  }

  private delivered(m: Message, leaseId: string, at: number, invokeAt: number): void {
    m.deliveries++;
    m.lastLeaseInvokeAt = invokeAt;
    m.lastLeaseAt = at;
    if (m.ackedAt < 0 || m.ackedAt > invokeAt) return;
    const message = (): string =>
      `message ${m.value} at offset ${m.offset ?? '?'} was leased again (lease ${leaseId}, delivery ${m.deliveries}) after an ack of it was acknowledged`;
    this.log.add('duplicated-after-ack', m.key, message, [m.ackedAt, at]);
  }

  private reportLost(m: Message): void {
    const what = m.deliveries === 0 ? 'never leased' : `leased ${m.deliveries} times but never acked`;
    const message = (): string => `message ${m.value} enqueued at offset ${m.offset ?? '?'} was ${what}`;
    this.log.add('lost', m.key, message, m.lastLeaseAt < 0 ? [m.enqueueAt] : [m.enqueueAt, m.lastLeaseAt]);
  }

  private reportFailedButLeased(m: Message): void {
    const message = (): string => `message ${m.value} was leased although its enqueue failed`;
    this.log.add('unexpected', m.key, message, [m.enqueueAt, m.lastLeaseAt]);
  }
}

/** One lease's settlement: a call that definitely failed settled nothing; one of unknown outcome, anything. */
function settleKind(outcome: Outcome, answer: string | undefined): keyof SettleCounts {
  if (outcome === 'fail') return 'failed';
  if (outcome === 'info' || answer === undefined) return 'unknown';
  if (answer === 'ok') return 'ok';
  return notAcked.has(answer) ? 'failed' : 'unknown';
}
