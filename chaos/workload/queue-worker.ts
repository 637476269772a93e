import { setTimeout as sleep } from 'node:timers/promises';
import { Prng } from '../../lib/index.js';
import type { RaftlogClient } from '../../src/client/index.js';
import type { HeldLease, LeasedRecord } from '../history/index.js';
import type { KeyRef } from './key-ref.js';
import { QueueCalls, type QueueCallOptions } from './queue-calls.js';
import type { QueueLedger } from './queue-ledger.js';
import type { Recorder } from './recorder.js';

export interface QueueWorkerOptions extends QueueCallOptions {
  /** Of the messages leased, the share nacked and the share left to expire (a crashed worker). */
  readonly nackShare: number;
  readonly abandonShare: number;
  readonly nackDelayMs: number;
}

/** Answers after which an ack is final: taken, or proven refused. Anything else is asked again. */
const finalAnswers: ReadonlySet<string> = new Set(['ok', 'LEASE_EXPIRED', 'UNKNOWN_LEASE']);
const failedCallPauseMs = 100;

/**
 * A competing queue consumer: leases from each partition's leader in turn, acks most messages,
 * nacks some and abandons some. Draining, it acks everything it gets. An ack whose outcome is
 * unknown is repeated with the same lease until the broker gives a final answer or the lease has
 * surely run out, so few messages end with an ack of unknown outcome.
 */
export class QueueWorker {
  private readonly calls: QueueCalls;
  private readonly prng: Prng;
  private stopping = false;
  private turn = 0;
  draining = false;

  constructor(
    private readonly recorder: Recorder,
    client: RaftlogClient,
    private readonly keys: readonly KeyRef[],
    private readonly ledger: QueueLedger,
    private readonly options: QueueWorkerOptions,
    seed: number,
  ) {
    this.calls = new QueueCalls(recorder, client, options);
    this.prng = new Prng(seed);
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<void> {
    this.stopping = false;
    while (!this.stopping) {
      const key = this.keys[this.turn++ % this.keys.length];
      if (key !== undefined) await this.round(key);
    }
  }

  private async round(key: KeyRef): Promise<void> {
    const leases = await this.calls.lease(key);
    if (leases === undefined || leases.length > 0) this.ledger.busy(this.recorder.now());
    if (leases === undefined) {
      await sleep(failedCallPauseMs);
      return;
    }
    const { ack, nack } = this.choose(leases);
    if (nack.length > 0) await this.calls.settle('nack', key, nack, this.options.nackDelayMs);
    if (ack.length > 0) await this.ack(key, ack);
  }

  private choose(leases: readonly LeasedRecord[]): { ack: HeldLease[]; nack: HeldLease[] } {
    const ack: HeldLease[] = [];
    const nack: HeldLease[] = [];
    for (const { offset, value, leaseId } of leases) {
      const draw = this.draining ? 1 : this.prng.nextFloat();
      if (draw < this.options.abandonShare) continue;
      (draw < this.options.abandonShare + this.options.nackShare ? nack : ack).push({
        offset,
        value,
        leaseId,
      });
    }
    return { ack, nack };
  }

  /** Acks until each lease has a final answer or has surely expired. */
  private async ack(key: KeyRef, leases: readonly HeldLease[]): Promise<void> {
    const giveUpAt = this.recorder.now() + 2 * this.options.visibilityMs;
    let open = leases;
    while (open.length > 0 && this.recorder.now() < giveUpAt) {
      const outcomes = await this.calls.settle('ack', key, open);
      if (outcomes === undefined) {
        await sleep(failedCallPauseMs);
        continue;
      }
      open.forEach((l, i) => {
        if (outcomes[i] === 'ok') this.ledger.ackAcknowledged(l.value);
      });
      open = open.filter((_, i) => !finalAnswers.has(outcomes[i] ?? ''));
    }
  }
}
