import { setTimeout as sleep } from 'node:timers/promises';
import { Producer, type RaftlogClient } from '../../src/client/index.js';
import { Enqueuer, keyRef, QueueLedger, QueueWorker, type KeyRef, type Recorder } from '../workload/index.js';
import type { RunWorkload } from './run-workload.js';

export interface QueueWorkloadOptions {
  readonly topic: string;
  readonly partitions: number;
  readonly enqueuersPerKey: number;
  readonly consumers: number;
  readonly seed: number;
}

/** Short, so that abandoned leases come back several times within a short run. */
const visibilityMs = 2_000;
const nackDelayMs = 200;
const enqueuePauseMs = 50;
const drainCheckMs = 200;
/** A drain with messages unacked ends once no lease has handed out one for this long: they are lost. */
const quietMs = 2 * visibilityMs + nackDelayMs + 2_000;

/**
 * The queue workload: enqueuers put unique messages into every partition, and competing consumers
 * lease, ack, nack or abandon them. The drain acks whatever is still there.
 */
export class QueueWorkloadSet implements RunWorkload {
  readonly topic: string;
  readonly keys: readonly KeyRef[];
  private readonly ledger = new QueueLedger();
  private readonly producer: Producer;
  private readonly enqueuers: Enqueuer[] = [];
  private readonly workers: QueueWorker[];
  private running: Promise<void>[] = [];

  constructor(
    private readonly recorder: Recorder,
    client: RaftlogClient,
    private readonly options: QueueWorkloadOptions,
  ) {
    this.topic = options.topic;
    this.keys = Array.from({ length: options.partitions }, (_, p) => keyRef(options.topic, p));
    this.producer = new Producer(client, { lingerMs: 1, deliveryTimeoutMs: 10_000, requestTimeoutMs: 3_000 });
    this.workers = Array.from({ length: options.consumers }, (_, i) => this.worker(client, i));
  }

  start(): void {
    for (const key of this.keys) {
      for (let i = 0; i < this.options.enqueuersPerKey; i++) {
        this.enqueuers.push(new Enqueuer(this.recorder, this.producer, key, this.ledger, enqueuePauseMs));
      }
    }
    this.running = [...this.enqueuers, ...this.workers].map((w) => w.run());
  }

  progress(): string {
    const c = this.ledger.counts;
    return `enqueues ok ${c.ok} fail ${c.fail} info ${c.info} acked ${c.acked}`;
  }

  async stop(): Promise<void> {
    for (const worker of [...this.enqueuers, ...this.workers]) worker.stop();
    await Promise.all(this.running);
    await this.producer.close().catch(() => undefined);
  }

  /** Consumers ack everything until every acknowledged enqueue is acked, the queue stays quiet, or the deadline. */
  async drain(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    this.ledger.busy(this.recorder.now());
    for (const w of this.workers) w.draining = true;
    this.running = this.workers.map((w) => w.run());
    while (Date.now() < deadline && this.ledger.outstanding > 0) {
      if (this.ledger.quietForMs(this.recorder.now()) > quietMs) break;
      await sleep(drainCheckMs);
    }
    for (const w of this.workers) w.stop();
    await Promise.all(this.running);
  }

  private worker(client: RaftlogClient, i: number): QueueWorker {
    const options = {
      queue: 'chaos',
      consumerId: `chaos-consumer-${i}`,
      visibilityMs,
      waitMs: 200,
      maxMessages: 16,
      callTimeoutMs: 3_000,
      nackShare: 0.1,
      abandonShare: 0.1,
      nackDelayMs,
    };
    return new QueueWorker(
      this.recorder,
      client,
      this.keys,
      this.ledger,
      options,
      this.options.seed * 31 + i,
    );
  }
}
