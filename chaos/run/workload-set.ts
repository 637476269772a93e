import { setTimeout as sleep } from 'node:timers/promises';
import { Producer, type RaftlogClient } from '../../src/client/index.js';
import { keyRef, Poller, Sender, type KeyRef, type Recorder } from '../workload/index.js';
import type { RunWorkload } from './run-workload.js';

const pollerOptions = { pollTimeoutMs: 3_000, maxWaitMs: 200, partitionMaxBytes: 256 * 1024 };

/** The senders and readers of a run, started and stopped together. */
export class WorkloadSet implements RunWorkload {
  readonly keys: readonly KeyRef[];
  private readonly producer: Producer;
  private readonly senders: Sender[] = [];
  private readonly pollers: Poller[] = [];
  private readonly running: Promise<void>[] = [];

  constructor(
    private readonly recorder: Recorder,
    private readonly client: RaftlogClient,
    readonly topic: string,
    partitions: number,
    private readonly sendersPerKey: number,
  ) {
    this.keys = Array.from({ length: partitions }, (_, p) => keyRef(topic, p));
    this.producer = new Producer(client, {
      lingerMs: 1,
      deliveryTimeoutMs: 10_000,
      requestTimeoutMs: 3_000,
    });
  }

  start(): void {
    for (const key of this.keys) {
      for (let i = 0; i < this.sendersPerKey; i++)
        this.senders.push(new Sender(this.recorder, this.producer, key));
      this.pollers.push(new Poller(this.recorder, this.client, key, pollerOptions));
    }
    for (const worker of [...this.senders, ...this.pollers]) this.running.push(worker.run());
  }

  counts(): { ok: number; fail: number; info: number } {
    const total = { ok: 0, fail: 0, info: 0 };
    for (const s of this.senders) {
      total.ok += s.completed.ok;
      total.fail += s.completed.fail;
      total.info += s.completed.info;
    }
    return total;
  }

  progress(): string {
    const done = this.counts();
    return `sends ok ${done.ok} fail ${done.fail} info ${done.info}`;
  }

  /** Stops every worker after its current operation and waits for them all. */
  async stop(): Promise<void> {
    for (const worker of [...this.senders, ...this.pollers]) worker.stop();
    await Promise.all(this.running);
    await this.producer.close().catch(() => undefined);
  }

  /**
   * The final reads: a fresh reader per key from the beginning, polling until it has passed every
   * acknowledged offset and a poll comes back empty, or the deadline passes.
   */
  async drain(deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    const ackedEnd = this.ackedEnds();
    await Promise.all(
      this.keys.map(async (key) => {
        const reader = new Poller(this.recorder, this.client, key, pollerOptions);
        const end = ackedEnd.get(key.name) ?? 0;
        while (Date.now() < deadline) {
          const read = await reader.poll();
          if (read === 0 && reader.position >= end) return;
          if (read === undefined) await sleep(100);
        }
      }),
    );
  }

  /** The offset after the highest acknowledged one, per key: the drain reads at least that far. */
  private ackedEnds(): Map<string, number> {
    const ends = new Map<string, number>();
    for (const e of this.recorder.history) {
      if (e.f !== 'send' || e.type !== 'ok' || e.offset === undefined) continue;
      ends.set(e.key, Math.max(ends.get(e.key) ?? 0, e.offset + 1));
    }
    return ends;
  }
}
