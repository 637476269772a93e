import { assert } from '../../lib/index.js';

/** What a released slot is filled with until reused. */
export const poisonByte = 0xdb;

/**
 * One block of memory, allocated once, that a group's cached entries are copied into and reused in
 * a circle. A copy of its own per entry lived for seconds and died in V8's old generation: under
 * load those copies' external memory set off most mark-compacts.
 *
 * Entries leave in the order they came (the oldest, as the cache is trimmed) or in reverse (the
 * newest, when a conflicting suffix is replaced), so the used space is one run that may wrap past
 * the end. A slot is reused as soon as its entry left, so a view into the ring must never outlive
 * its entry's stay: the cache hands out copies only (CachedRaftStorage). A slot is filled with
 * `poisonByte` when its entry leaves, so a view kept by mistake reads garbage every time, not only
 * once the slot happens to be reused.
 */
export class EntryRing {
  private readonly memory: Uint8Array;
  /** Offset and length of every entry held, oldest first, from `first` on. */
  private slots: number[] = [];
  private first = 0;

  constructor(readonly capacityBytes: number) {
    assert(Number.isSafeInteger(capacityBytes) && capacityBytes > 0, `ring of ${capacityBytes} bytes`);
    this.memory = new Uint8Array(capacityBytes);
  }

  /** Entries held. */
  get size(): number {
    return (this.slots.length - this.first) / 2;
  }

  /** Whether `data` is a view into this ring. */
  holds(data: Uint8Array): boolean {
    return data.buffer === this.memory.buffer;
  }

  /** A copy of `data` in the ring, or undefined when there is no contiguous room for it. */
  place(data: Uint8Array): Uint8Array | undefined {
    assert(data.byteLength > 0, 'an empty entry takes no room');
    const at = this.room(data.byteLength);
    if (at === undefined) return undefined;
    this.memory.set(data, at);
    this.slots.push(at, data.byteLength);
    return this.memory.subarray(at, at + data.byteLength);
  }

  /** The oldest entry held left: `data` must be its view. */
  releaseOldest(data: Uint8Array): void {
    this.expectSlot(this.first, data);
    data.fill(poisonByte);
    this.first += 2;
    if (this.first === this.slots.length) this.clear();
    else if (this.first > 2048 && this.first * 2 > this.slots.length) {
      this.slots = this.slots.slice(this.first);
      this.first = 0;
    }
  }

  /** The newest entry held left: `data` must be its view. */
  releaseNewest(data: Uint8Array): void {
    this.expectSlot(this.slots.length - 2, data);
    data.fill(poisonByte);
    this.slots.length -= 2;
    if (this.first === this.slots.length) this.clear();
  }

  clear(): void {
    this.slots = [];
    this.first = 0;
  }

  /**
   * Where `bytes` fit: at the start as soon as the oldest entry left room there, else after the
   * newest. Used space is [oldest, newest end) unwrapped, or [oldest, capacity) plus [0, newest end)
   * wrapped. Wrapping early keeps a group with few entries held (the controller, a quiet partition)
   * circling in as little of the ring as they need: a page of the ring, once written, stays resident.
   */
  private room(bytes: number): number | undefined {
    if (bytes > this.capacityBytes) return undefined;
    if (this.size === 0) return 0;
    const oldest = this.slots[this.first] as number;
    const newestAt = this.slots[this.slots.length - 2] as number;
    const newestEnd = newestAt + (this.slots[this.slots.length - 1] as number);
    if (newestAt < oldest) return newestEnd + bytes <= oldest ? newestEnd : undefined;
    if (bytes <= oldest) return 0;
    return newestEnd + bytes <= this.capacityBytes ? newestEnd : undefined;
  }

  private expectSlot(i: number, data: Uint8Array): void {
    assert(i >= this.first && i < this.slots.length, 'released an entry the ring does not hold');
    const at = this.slots[i] as number;
    const length = this.slots[i + 1] as number;
    assert(
      this.holds(data) && data.byteOffset === at && data.byteLength === length,
      `released bytes [${data.byteOffset}, +${data.byteLength}) where the ring holds [${at}, +${length})`,
    );
  }
}
