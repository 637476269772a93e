import { RaftlogError } from '../../lib/index.js';

/**
 * A bounded queue between producers that await space and one reader that awaits items; bounds the
 * consumer's prefetch in bytes (one item is always admitted so a large batch cannot wedge it).
 */
export class AsyncChannel<T> {
  private readonly items: { item: T; bytes: number }[] = [];
  private bytes = 0;
  private failure: Error | undefined;
  private closed = false;
  private readers: ((value: IteratorResult<T>) => void)[] = [];
  private readerRejects: ((e: Error) => void)[] = [];
  private spaceWaiters: (() => void)[] = [];

  constructor(readonly capacityBytes: number) {}

  /** Resolves once the item is queued; waits while the channel is over its byte bound. */
  async push(item: T, bytes: number): Promise<void> {
    while (!this.closed && this.items.length > 0 && this.bytes + bytes > this.capacityBytes) {
      await new Promise<void>((resolve) => this.spaceWaiters.push(resolve));
    }
    if (this.closed) throw new RaftlogError('CANCELLED', 'the consumer is closed');
    const reader = this.readers.shift();
    this.readerRejects.shift();
    if (reader !== undefined) reader({ value: item, done: false });
    else {
      this.items.push({ item, bytes });
      this.bytes += bytes;
    }
  }

  next(): Promise<IteratorResult<T>> {
    const head = this.items.shift();
    if (head !== undefined) {
      this.bytes -= head.bytes;
      this.wakeWriters();
      return Promise.resolve({ value: head.item, done: false });
    }
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.readers.push(resolve);
      this.readerRejects.push(reject);
    });
  }

  /** Ends the channel: queued items are still read, then the reader sees the error. */
  fail(error: Error): void {
    if (this.closed) return;
    this.failure = error;
    this.closed = true;
    for (const reject of this.readerRejects.splice(0)) reject(error);
    this.readers = [];
    this.wakeWriters();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.items.length = 0;
    this.bytes = 0;
    for (const resolve of this.readers.splice(0)) resolve({ value: undefined, done: true });
    this.readerRejects = [];
    this.wakeWriters();
  }

  private wakeWriters(): void {
    for (const wake of this.spaceWaiters.splice(0)) wake();
  }
}
