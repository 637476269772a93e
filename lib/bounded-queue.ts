import { assert } from './assert.js';

/**
 * A FIFO ring buffer with a fixed capacity in items and an optional bound in bytes. `push` refuses
 * instead of growing: the caller decides whether to drop, reject or wait.
 */
export class BoundedQueue<T> {
  private readonly items: (T | undefined)[];
  private head = 0;
  private count = 0;
  private bytes = 0;

  constructor(
    readonly capacityItems: number,
    readonly capacityBytes = Number.POSITIVE_INFINITY,
    private readonly sizeOf: (item: T) => number = () => 0,
  ) {
    assert(Number.isSafeInteger(capacityItems) && capacityItems > 0, 'capacityItems must be positive');
    this.items = new Array<T | undefined>(capacityItems);
  }

  get length(): number {
    return this.count;
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  isFull(): boolean {
    return this.count === this.capacityItems;
  }

  /** Adds an item; returns false (and changes nothing) when either bound would be exceeded. */
  push(item: T): boolean {
    const size = this.sizeOf(item);
    if (this.count === this.capacityItems) return false;
    if (this.count > 0 && this.bytes + size > this.capacityBytes) return false;
    this.items[(this.head + this.count) % this.capacityItems] = item;
    this.count++;
    this.bytes += size;
    return true;
  }

  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacityItems;
    this.count--;
    this.bytes -= this.sizeOf(item);
    return item;
  }

  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Removes and returns up to `max` items from the front. */
  drain(max = this.count): T[] {
    const out: T[] = [];
    while (out.length < max && this.count > 0) out.push(this.shift() as T);
    return out;
  }

  clear(): void {
    this.drain();
  }
}
