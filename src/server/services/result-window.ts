import { ChangeNotifier } from './change-notifier.js';

interface Entry<R> {
  readonly key: string;
  readonly bytes: number;
  result: R | undefined;
}

/**
 * The batches of one produce stream between being read and being answered. Results of one partition
 * leave in request order even when their appends finish out of order; partitions do not wait for each
 * other. An entry counts against the window until its answer has been handed on, so a client that
 * stops reading answers also stops having its requests read.
 */
export class ResultWindow<R> {
  readonly changes = new ChangeNotifier();
  private readonly byPartition = new Map<string, Entry<R>[]>();
  private readonly ready: Entry<R>[] = [];
  private count = 0;
  private bytes = 0;

  constructor(
    private readonly itemsMax: number,
    private readonly bytesMax: number,
  ) {}

  get size(): number {
    return this.count;
  }

  /** One more batch may be read; an empty window always admits one, however large. */
  hasRoom(): boolean {
    return this.count === 0 || (this.count < this.itemsMax && this.bytes < this.bytesMax);
  }

  add(key: string, bytes: number): Entry<R> {
    const entry: Entry<R> = { key, bytes, result: undefined };
    const queue = this.byPartition.get(key);
    if (queue === undefined) this.byPartition.set(key, [entry]);
    else queue.push(entry);
    this.count++;
    this.bytes += bytes;
    return entry;
  }

  settle(entry: Entry<R>, result: R): void {
    entry.result = result;
    const queue = this.byPartition.get(entry.key);
    if (queue === undefined) return;
    while (queue[0]?.result !== undefined) this.ready.push(queue.shift()!);
    if (queue.length === 0) this.byPartition.delete(entry.key);
    this.changes.notify();
  }

  /** The next answer that may be sent; call `release` once it is sent. */
  next(): Entry<R> | undefined {
    return this.ready.shift();
  }

  release(entry: Entry<R>): void {
    this.count--;
    this.bytes -= entry.bytes;
    this.changes.notify();
  }
}
