import type { FaultKind, HistoryEvent, Key, ReadRecord } from '../history/index.js';
import { HistoryBuilder } from './history-builder.js';

/** One scheduling decision: which actor moves, and a number it draws its choices from. */
export interface SimulationStep {
  readonly actor: number;
  readonly choice: number;
}

interface Producer {
  process: number;
  pending: { key: Key; value: string; offset?: number } | undefined;
}

interface Reader {
  process: number;
  key: Key | undefined;
  position: number;
  polling: boolean;
}

const faultKinds: readonly FaultKind[] = ['kill', 'partition', 'pause', 'clock-skew', 'client-leader-cut'];

/**
 * Runs producers, readers and a nemesis against a correct in-memory log and records the history a
 * correct broker would produce: values become readable before their send completes, sends fail or
 * end unknown, readers crash and move, offsets are sparse, and a final drain reads everything.
 * Every step is a pure function of `steps`, so a failing case shrinks and replays.
 */
export class SimulatedHistory {
  private readonly h = new HistoryBuilder();
  private readonly log = new Map<Key, ReadRecord[]>();
  private readonly nextOffset = new Map<Key, number>();
  private readonly producers: Producer[];
  private readonly readers: Reader[];
  private nextProcess = 1;
  private nextValue = 0;
  private faults = 0;

  constructor(private readonly keys: readonly Key[] = ['t/0', 't/1']) {
    this.producers = [0, 1, 2].map(() => ({ process: this.nextProcess++, pending: undefined }));
    this.readers = [0, 1].map(() => ({
      process: this.nextProcess++,
      key: undefined,
      position: 0,
      polling: false,
    }));
  }

  run(steps: readonly SimulationStep[]): HistoryEvent[] {
    this.h.phase('faults');
    const actors = this.producers.length + this.readers.length + 1;
    for (const { actor, choice } of steps) {
      const a = actor % actors;
      const producer = this.producers[a];
      const reader = this.readers[a - this.producers.length];
      if (producer !== undefined) this.produce(producer, choice);
      else if (reader !== undefined) this.read(reader, choice);
      else this.nemesis(choice);
    }
    this.drain();
    return this.h.events;
  }

  private produce(p: Producer, choice: number): void {
    const pending = p.pending;
    if (pending === undefined) {
      const key = this.pick(choice);
      p.pending = { key, value: `v${this.nextValue++}` };
      this.h.invokeSend(p.process, key, p.pending.value);
    } else if (pending.offset === undefined && choice % 4 !== 0) {
      pending.offset = this.append(pending.key, pending.value, choice);
    } else if (pending.offset === undefined) {
      this.endProducer(p, choice % 8 === 0 ? 'info' : 'fail');
    } else {
      this.endProducer(p, choice % 6 === 0 ? 'info' : 'ok');
    }
  }

  private endProducer(p: Producer, type: 'ok' | 'fail' | 'info'): void {
    this.h.completeSend(p.process, type, type === 'ok' ? p.pending?.offset : undefined);
    p.pending = undefined;
    if (type === 'info') p.process = this.nextProcess++;
  }

  private read(r: Reader, choice: number): void {
    if (r.key === undefined) {
      r.key = this.pick(choice);
      r.position = 0;
      this.h.assign(r.process, [r.key]);
    } else if (!r.polling && choice % 9 === 0) {
      r.key = undefined;
    } else if (!r.polling) {
      r.polling = true;
      this.h.invokePoll(r.process, r.key, r.position);
    } else if (choice % 11 === 0) {
      this.h.completePoll(r.process, 'info');
      Object.assign(r, { process: this.nextProcess++, key: undefined, polling: false });
    } else {
      this.completePoll(r, r.key, choice % 4);
    }
  }

  private completePoll(r: Reader, key: Key, limit: number): void {
    const records = (this.log.get(key) ?? []).filter(([offset]) => offset >= r.position).slice(0, limit);
    this.h.completePoll(r.process, 'ok', records);
    r.position = (records.at(-1)?.[0] ?? r.position - 1) + 1;
    r.polling = false;
  }

  private nemesis(choice: number): void {
    const kind = faultKinds[this.faults % faultKinds.length] ?? 'kill';
    if (choice % 3 === 0) {
      this.h.leader(this.pick(choice), choice % 4, this.faults);
    } else {
      this.h.fault(kind, this.faults % 2 === 0 ? 'start' : 'end', [1 + (choice % 3)]);
      this.faults++;
    }
  }

  private drain(): void {
    this.h.phase('heal');
    for (const p of this.producers) {
      if (p.pending !== undefined) this.endProducer(p, p.pending.offset === undefined ? 'fail' : 'ok');
    }
    for (const r of this.readers) if (r.polling && r.key !== undefined) this.completePoll(r, r.key, 3);
    const last = this.nextProcess++;
    for (const key of this.keys) {
      for (let i = 0; i < 2; i++) {
        const value = `v${this.nextValue++}`;
        this.h.invokeSend(last, key, value);
        this.h.completeSend(last, 'ok', this.append(key, value, i));
      }
    }
    this.h.phase('drain');
    const drainer = this.nextProcess++;
    this.h.assign(drainer, this.keys);
    for (const key of this.keys) this.h.poll(drainer, key, 0, this.log.get(key) ?? []);
    this.h.phase('done');
  }

  // Offsets are sparse now and then, as control records would make them.
  private append(key: Key, value: string, choice: number): number {
    const offset = this.nextOffset.get(key) ?? 0;
    this.nextOffset.set(key, offset + (choice % 5 === 1 ? 2 : 1));
    let records = this.log.get(key);
    if (records === undefined) {
      records = [];
      this.log.set(key, records);
    }
    records.push([offset, value]);
    return offset;
  }

  private pick(choice: number): Key {
    return this.keys[choice % this.keys.length] ?? 't/0';
  }
}
