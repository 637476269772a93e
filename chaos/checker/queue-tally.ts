import type { QueueSummary, SettleCounts } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Running counts behind a QueueSummary. */
export class QueueTally {
  seen = false;
  readonly enqueued = { ok: 0, fail: 0, info: 0 };
  private readonly acks: Mutable<SettleCounts> = { ok: 0, failed: 0, unknown: 0 };
  private readonly nacks: Mutable<SettleCounts> = { ok: 0, failed: 0, unknown: 0 };
  private readonly perMessage = new Map<number, number>();
  private deliveries = 0;
  private redeliveries = 0;

  settle(f: 'ack' | 'nack', kind: keyof SettleCounts): void {
    (f === 'ack' ? this.acks : this.nacks)[kind]++;
  }

  /** One message's deliveries, counted once the history is complete. */
  countDeliveries(n: number): void {
    this.perMessage.set(n, (this.perMessage.get(n) ?? 0) + 1);
    this.deliveries += n;
    this.redeliveries += Math.max(0, n - 1);
  }

  summary(ackUnknown: number): QueueSummary {
    const histogram: Record<string, number> = {};
    for (const [n, count] of [...this.perMessage].sort(([a], [b]) => a - b)) histogram[String(n)] = count;
    return {
      enqueued: { ...this.enqueued },
      deliveries: this.deliveries,
      redeliveries: this.redeliveries,
      deliveriesPerMessage: histogram,
      acks: { ...this.acks },
      nacks: { ...this.nacks },
      ackUnknown,
    };
  }
}
