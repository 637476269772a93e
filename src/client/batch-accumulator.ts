import { assert } from '../../lib/index.js';

export interface AccumulatorLimits {
  /** How long the first record of a batch may wait for company. */
  readonly lingerMs: number;
  /** A batch closes before it would grow past this (a larger single record gets a batch of its own). */
  readonly batchBytesMax: number;
  readonly batchRecordsMax: number;
}

export interface PendingBatch<T> {
  readonly key: string;
  readonly items: T[];
  sizeBytes: number;
  readonly createdAtMs: number;
  /** No more appends: it reached a limit. */
  full: boolean;
}

/**
 * Per-partition FIFO of batches. Only the newest batch of a partition takes appends, and it keeps
 * taking them until the sender drains it, so a partition whose previous batch is still in flight
 * gathers a fuller next batch even with lingerMs 0. Pure: time comes in as an argument.
 */
export class BatchAccumulator<T> {
  private readonly queues = new Map<string, PendingBatch<T>[]>();

  constructor(
    private readonly limits: AccumulatorLimits,
    private readonly sizeOf: (item: T) => number,
  ) {
    assert(limits.batchRecordsMax >= 1, 'batchRecordsMax must be at least 1');
  }

  /** Adds an item to the partition's open batch, starting a new one when a limit would be passed. */
  append(key: string, item: T, nowMs: number): void {
    const size = this.sizeOf(item);
    const queue = this.queues.get(key) ?? [];
    if (queue.length === 0) this.queues.set(key, queue);
    let open = queue.at(-1);
    if (open !== undefined && !open.full && this.wouldOverflow(open, size)) open.full = true;
    if (open === undefined || open.full) {
      open = { key, items: [], sizeBytes: 0, createdAtMs: nowMs, full: false };
      queue.push(open);
    }
    open.items.push(item);
    open.sizeBytes += size;
    // Full also when one more record the size of this one would not fit: records of one size would
    // otherwise leave a batch a sliver short of its limit, waiting out the linger for a record that
    // can only open the next batch.
    if (this.wouldOverflow(open, size)) open.full = true;
  }

  /** Removes and returns the partition's oldest batch if it is full, lingered long enough, or forced. */
  drain(key: string, nowMs: number, force: boolean): PendingBatch<T> | undefined {
    const queue = this.queues.get(key);
    const head = queue?.[0];
    if (queue === undefined || head === undefined) return undefined;
    if (!force && !head.full && nowMs < head.createdAtMs + this.limits.lingerMs) return undefined;
    queue.shift();
    if (queue.length === 0) this.queues.delete(key);
    return head;
  }

  /** When the partition's oldest batch becomes ready by linger; undefined when it has none. */
  readyAtMs(key: string): number | undefined {
    const head = this.queues.get(key)?.[0];
    if (head === undefined) return undefined;
    return head.full ? head.createdAtMs : head.createdAtMs + this.limits.lingerMs;
  }

  keys(): string[] {
    return [...this.queues.keys()];
  }

  get isEmpty(): boolean {
    return this.queues.size === 0;
  }

  private wouldOverflow(batch: PendingBatch<T>, size: number): boolean {
    return (
      batch.items.length + 1 > this.limits.batchRecordsMax ||
      batch.sizeBytes + size > this.limits.batchBytesMax
    );
  }
}
