import type { Producer } from '../../src/client/index.js';
import type { SendOp } from '../history/index.js';
import { sendOutcome } from './outcome.js';
import type { Recorder } from './recorder.js';
import type { KeyRef } from './key-ref.js';

/**
 * One client worker appending unique values to one key, one send at a time so that its sends are
 * ordered. All workers share one idempotent producer, so their records travel in common batches.
 */
export class Sender {
  private process: number;
  private seq = 0;
  private stopping = false;
  private counts = { ok: 0, fail: 0, info: 0 };

  constructor(
    private readonly recorder: Recorder,
    private readonly producer: Producer,
    private readonly key: KeyRef,
  ) {
    this.process = recorder.newProcess();
  }

  get completed(): Readonly<{ ok: number; fail: number; info: number }> {
    return this.counts;
  }

  stop(): void {
    this.stopping = true;
  }

  async run(): Promise<void> {
    while (!this.stopping) await this.sendOne();
  }

  private async sendOne(): Promise<void> {
    const value = `${this.process}-${this.seq++}`;
    const base = { process: this.process, f: 'send', key: this.key.name, value } as const;
    this.recorder.record<SendOp>({ ...base, type: 'invoke' });
    try {
      const ack = await this.producer.send({ topic: this.key.topic, partition: this.key.partition, value });
      this.recorder.record<SendOp>({ ...base, type: 'ok', offset: ack.offset });
      this.counts.ok++;
    } catch (error) {
      const type = sendOutcome(error);
      this.recorder.record<SendOp>({ ...base, type });
      this.counts[type]++;
      // An unknown outcome ends this process, as in Jepsen: its next send is not ordered after the lost one.
      if (type === 'info') this.process = this.recorder.newProcess();
    }
  }
}
