import type { KeyFacts } from './key-facts.js';

/** A key's known offsets in order, for range questions once the whole history has been seen. */
export class KnownOffsets {
  /** Every offset read or acknowledged. */
  private readonly all: Float64Array;
  /** Only the offsets some ok poll read. */
  private readonly read: Float64Array;

  constructor(readonly facts: KeyFacts) {
    const all: number[] = [];
    const read: number[] = [];
    for (const [offset, slot] of facts.offsets) {
      all.push(offset);
      if (slot.readAt >= 0) read.push(offset);
    }
    this.all = Float64Array.from(all).sort();
    this.read = Float64Array.from(read).sort();
  }

  /** The lowest known offset strictly between `lo` and `hi`. */
  firstBetween(lo: number, hi: number): number | undefined {
    const offset = this.all[firstAbove(this.all, lo)];
    return offset !== undefined && offset < hi ? offset : undefined;
  }

  /** The lowest offset above `offset` that a poll read. */
  firstReadAbove(offset: number): number | undefined {
    return this.read[firstAbove(this.read, offset)];
  }
}

function firstAbove(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] ?? Infinity) <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
