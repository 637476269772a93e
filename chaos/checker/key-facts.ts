import type { Key } from '../history/index.js';
import type { AnomalyLog } from './anomaly-log.js';
import { MalformedHistoryError } from './malformed-history-error.js';

/** What is known to sit at one offset: the first value placed there and who showed it. */
export interface OffsetFact {
  readonly value: string;
  /** Completion position of the read or acknowledged send that placed it. */
  readonly at: number;
  /** Completion position of the first poll that read this offset, or -1. */
  readAt: number;
  conflicted: boolean;
}

/** What is known of one value: its send, where it was placed, who read it. */
export interface ValueFact {
  /** Invoke position of its send, or -1 when nobody sent it. */
  sendAt: number;
  /** Completion position of its send, or -1 while pending. */
  doneAt: number;
  outcome: 'ok' | 'fail' | 'info' | undefined;
  ackOffset: number | undefined;
  /** The first offset it was read or acknowledged at, or -1. */
  offset: number;
  offsetAt: number;
  /** Completion position of the first poll that read it, or -1. */
  readAt: number;
  duplicated: boolean;
}

/**
 * One key's version order as the history shows it: every (offset, value) read by an ok poll or
 * acknowledged to an ok send. Placing a pair reports the anomalies visible in the pair alone:
 * two values at one offset, one value at two offsets.
 */
export class KeyFacts {
  readonly offsets = new Map<number, OffsetFact>();
  readonly values = new Map<string, ValueFact>();
  /** The highest offset any ok poll read: the lost-write bound. */
  maxReadOffset = -1;

  constructor(
    readonly key: Key,
    private readonly log: AnomalyLog,
  ) {}

  sendInvoked(value: string, at: number, index: number): void {
    const fact = this.valueFact(value);
    if (fact.sendAt >= 0) throw new MalformedHistoryError(index, `value ${value} sent twice to ${this.key}`);
    fact.sendAt = at;
  }

  sendCompleted(value: string, at: number, outcome: ValueFact['outcome'], offset?: number): void {
    const fact = this.valueFact(value);
    fact.doneAt = at;
    fact.outcome = outcome;
    if (outcome !== 'ok' || offset === undefined) return;
    fact.ackOffset = offset;
    this.place(offset, value, at, false);
  }

  read(offset: number, value: string, pollAt: number): void {
    if (offset > this.maxReadOffset) this.maxReadOffset = offset;
    this.place(offset, value, pollAt, true);
  }

  private place(offset: number, value: string, at: number, isRead: boolean): void {
    const slot = this.offsets.get(offset);
    if (slot === undefined) {
      this.offsets.set(offset, { value, at, readAt: isRead ? at : -1, conflicted: false });
    } else {
      if (isRead && slot.readAt < 0) slot.readAt = at;
      if (slot.value !== value && !slot.conflicted) this.conflict(offset, slot, value, at);
    }
    const fact = this.valueFact(value);
    if (isRead && fact.readAt < 0) fact.readAt = at;
    if (fact.offset < 0) {
      fact.offset = offset;
      fact.offsetAt = at;
    } else if (fact.offset !== offset && !fact.duplicated) {
      fact.duplicated = true;
      const first = fact.offset;
      this.log.add('duplicate', this.key, () => `value ${value} is at offsets ${first} and ${offset}`, [
        fact.offsetAt,
        at,
      ]);
    }
  }

  private conflict(offset: number, slot: OffsetFact, value: string, at: number): void {
    slot.conflicted = true;
    const message = (): string => `offset ${offset} holds ${slot.value} and ${value}`;
    this.log.add('inconsistent-offsets', this.key, message, [slot.at, at]);
  }

  private valueFact(value: string): ValueFact {
    let fact = this.values.get(value);
    if (fact === undefined) {
      fact = {
        sendAt: -1,
        doneAt: -1,
        outcome: undefined,
        ackOffset: undefined,
        offset: -1,
        offsetAt: -1,
        readAt: -1,
        duplicated: false,
      };
      this.values.set(value, fact);
    }
    return fact;
  }
}
