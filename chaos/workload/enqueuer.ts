import { setTimeout as sleep } from 'node:timers/promises';
import type { Producer } from '../../src/client/index.js';
import type { EnqueueOp } from '../history/index.js';
import type { KeyRef } from './key-ref.js';
import { sendOutcome } from './outcome.js';
import type { QueueLedger } from './queue-ledger.js';
import type { Recorder } from './recorder.js';

/**
 * One client worker putting unique messages into one partition consumed as a queue, one enqueue at a
 * time with a pause between them, so that the consumers keep up and the drain stays short.
 */
export class Enqueuer {
  private process: number;
  private seq = 0;
  private stopping = false;

  constructor(
    private readonly recorder: Recorder,
    private readonly producer: Producer,
    private readonly key: KeyRef,
    private readonly ledger: QueueLedger,
    private readonly pauseMs: number,
  ) {
    this.process = recorder.newProcess();
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<void> {
    while (!this.stopping) {
      await this.enqueueOne();
      await sleep(this.pauseMs);
    }
  }

  private async enqueueOne(): Promise<void> {
    const value = `q${this.process}-${this.seq++}`;
    const base = { process: this.process, f: 'enqueue', key: this.key.name, value } as const;
    this.recorder.record<EnqueueOp>({ ...base, type: 'invoke' });
    try {
      const ack = await this.producer.send({ topic: this.key.topic, partition: this.key.partition, value });
      this.recorder.record<EnqueueOp>({ ...base, type: 'ok', offset: ack.offset });
      this.ledger.enqueued(value);
    } catch (error) {
      const type = sendOutcome(error);
      this.recorder.record<EnqueueOp>({ ...base, type });
      this.ledger.failed(type);
      // An unknown outcome ends this process, as for a send.
      if (type === 'info') this.process = this.recorder.newProcess();
    }
  }
}
