import { randomFillSync } from 'node:crypto';

/** Bytes of random data the values are cut from: far more than a batch, so no batch repeats itself. */
const poolBytes = 8 * 1024 * 1024;

/**
 * Record values of `recordBytes` random bytes, each a different slice of one random pool (views, not
 * copies). Real payloads are often already compressed; a value of one repeated byte would let the
 * broker's storage compress it twentyfold and flatter every disk and throughput figure.
 */
export class RandomValues {
  private readonly pool: Uint8Array;
  private next = 0;

  constructor(private readonly recordBytes: number) {
    this.pool = randomFillSync(new Uint8Array(Math.max(poolBytes, 2 * recordBytes)));
  }

  take(): Uint8Array {
    if (this.next + this.recordBytes > this.pool.length) this.next = 0;
    const value = this.pool.subarray(this.next, this.next + this.recordBytes);
    this.next += this.recordBytes;
    return value;
  }
}
