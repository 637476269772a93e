import { open, type FileHandle } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { HistoryEvent } from './types.js';

/** An event as its producer describes it; the writer stamps `index` and `time`. */
export type UnstampedEvent = Unstamped<HistoryEvent>;
type Unstamped<E> = E extends HistoryEvent ? Omit<E, 'index' | 'time'> : never;

export interface HistoryWriterOptions {
  /** Milliseconds on a monotonic clock; the first reading is time 0. */
  readonly clock?: () => number;
  /** Bytes buffered before `ready()` holds back new operations. */
  readonly bufferBytesMax?: number;
}

const defaultBufferBytesMax = 1 << 20;

/**
 * Appends history events to a JSONL file. `append` is synchronous so a completion is recorded the
 * moment it is observed, in the order events happened; writes are batched behind it. The buffer
 * stays bounded because workers `await ready()` before invoking a new operation: past the limit
 * only the completions of operations already in flight can still be added.
 */
export class HistoryWriter {
  private readonly pending: string[] = [];
  private pendingBytes = 0;
  private writingBytes = 0;
  private next = 0;
  private writing: Promise<void> | undefined;
  private failure: Error | undefined;
  private closed = false;
  private readonly waiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(
    private readonly file: FileHandle,
    private readonly clock: () => number,
    private readonly origin: number,
    private readonly bufferBytesMax: number,
  ) {}

  /** Creates (or truncates) the file at `path`. */
  static async open(path: string, options: HistoryWriterOptions = {}): Promise<HistoryWriter> {
    const clock = options.clock ?? (() => performance.now());
    const file = await open(path, 'w');
    return new HistoryWriter(file, clock, clock(), options.bufferBytesMax ?? defaultBufferBytesMax);
  }

  /** Events appended so far; also the index the next event gets. */
  get count(): number {
    return this.next;
  }

  /** Stamps the event with the next index and the current time, and queues it for writing. */
  append(event: UnstampedEvent): HistoryEvent {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('history writer is closed');
    const time = Math.round((this.clock() - this.origin) * 1000) / 1000;
    const stamped = { index: this.next++, time, ...event } as HistoryEvent;
    const line = `${JSON.stringify(stamped)}\n`;
    this.pending.push(line);
    this.pendingBytes += line.length;
    this.writing ??= this.drain();
    return stamped;
  }

  /** Resolves once the buffer is below its limit; rejects if writing failed. */
  ready(): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (!this.overLimit()) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Writes what is buffered and closes the file; the history is complete once this resolves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    await this.file.close();
    if (this.failure !== undefined) throw this.failure;
  }

  // Never rejects: a write error is kept and surfaces through append, ready and close.
  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const chunk = this.pending.join('');
        this.pending.length = 0;
        this.pendingBytes = 0;
        this.writingBytes = chunk.length;
        await this.file.write(chunk);
        this.writingBytes = 0;
        this.wakeWaiters();
      }
    } catch (e) {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.wakeWaiters();
    } finally {
      this.writing = undefined;
    }
  }

  private overLimit(): boolean {
    return this.pendingBytes + this.writingBytes > this.bufferBytesMax;
  }

  private wakeWaiters(): void {
    if (this.failure === undefined && this.overLimit()) return;
    for (const w of this.waiters.splice(0)) {
      if (this.failure === undefined) w.resolve();
      else w.reject(this.failure);
    }
  }
}
