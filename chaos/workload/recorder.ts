import { performance } from 'node:perf_hooks';
import { HistoryWriter, type HistoryEvent } from '../history/index.js';

type Unstamped<T> = T extends HistoryEvent ? Omit<T, 'index' | 'time'> : never;

/**
 * The run's history: kept in memory for the checker, and appended to the JSONL file as it happens
 * (so a run cut short still leaves its history). Hands out process ids: a worker whose operation
 * ended unknown continues as a new process.
 */
export class Recorder {
  private readonly events: HistoryEvent[] = [];
  private nextProcess = 0;

  private constructor(
    private readonly writer: HistoryWriter,
    private readonly origin: number,
  ) {}

  static async open(path: string): Promise<Recorder> {
    const origin = performance.now();
    return new Recorder(await HistoryWriter.open(path, { clock: () => performance.now() - origin }), origin);
  }

  get history(): readonly HistoryEvent[] {
    return this.events;
  }

  /** Milliseconds since the run started, on the clock that stamps the events. */
  now(): number {
    return performance.now() - this.origin;
  }

  newProcess(): number {
    return this.nextProcess++;
  }

  record<T extends HistoryEvent>(event: Unstamped<T>): T {
    const stamped = this.writer.append(event) as T;
    this.events.push(stamped);
    return stamped;
  }

  close(): Promise<void> {
    return this.writer.close();
  }
}
