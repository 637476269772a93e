import { CorruptionError, crc32c } from '../lib/index.js';

/**
 * The storage layer's own binary encoding of stored metadata values: a format version byte, big-endian fields and
 * a CRC32C trailer over everything before it, so a flipped bit is reported instead of replayed.
 *
 * Version 2 (`keyBoundVersion`) also binds the value to its key: the CRC32C is seeded with the key's
 * CRC32C, so a valid value found under another key (a misdirected write, a wrong index) is
 * corruption too. Writers opt in by passing the key; readers given a key accept both versions, so
 * values written before stay readable.
 */
export const formatVersion = 1;
export const keyBoundVersion = 2;
export const crcBytes = 4;
const two32 = 2 ** 32;

export class ValueWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private pos = 0;

  private readonly seed: number;

  /** With `key`, writes a version-2 value whose checksum covers the key as well. */
  constructor(payloadBytes: number, key?: Uint8Array) {
    this.bytes = new Uint8Array(1 + payloadBytes + crcBytes);
    this.view = new DataView(this.bytes.buffer);
    this.seed = key === undefined ? 0 : crc32c(key);
    this.u8(key === undefined ? formatVersion : keyBoundVersion);
  }

  u8(v: number): this {
    this.view.setUint8(this.pos++, v);
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }
  u64(v: number): this {
    const hi = Math.floor(v / two32);
    this.view.setUint32(this.pos, hi);
    this.view.setUint32(this.pos + 4, v - hi * two32);
    this.pos += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
  ids(list: readonly number[]): this {
    this.u32(list.length);
    for (const id of list) this.u64(id);
    return this;
  }
  finish(): Uint8Array {
    this.view.setUint32(this.pos, crc32c(this.bytes, this.seed, 0, this.pos));
    return this.bytes;
  }
}

export class ValueReader {
  private readonly view: DataView;
  private pos = 1;
  private readonly end: number;

  /** With `key`, also accepts version-2 values, whose checksum must cover that key. */
  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
    key?: Uint8Array,
  ) {
    if (bytes.length < 1 + crcBytes) throw this.corrupt(`${bytes.length} bytes is too short`);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.end = bytes.length - crcBytes;
    const version = bytes[0];
    const seed = version === keyBoundVersion && key !== undefined ? crc32c(key) : 0;
    if (crc32c(bytes, seed, 0, this.end) !== this.view.getUint32(this.end))
      throw this.corrupt(
        version === keyBoundVersion
          ? 'checksum mismatch (or a value stored under another key)'
          : 'checksum mismatch',
      );
    if (version !== formatVersion && !(version === keyBoundVersion && key !== undefined))
      throw this.corrupt(`unknown format version ${version}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const hi = this.view.getUint32(this.pos);
    if (hi > 0x1fffff) throw this.corrupt('integer beyond the safe range');
    const v = hi * two32 + this.view.getUint32(this.pos + 4);
    this.pos += 8;
    return v;
  }
  ids(): number[] {
    const n = this.u32();
    if (n * 8 > this.end - this.pos) throw this.corrupt(`id list of ${n} overruns the value`);
    return Array.from({ length: n }, () => this.u64());
  }
  rest(): Uint8Array {
    const out = this.bytes.subarray(this.pos, this.end);
    this.pos = this.end;
    return out;
  }
  done(): void {
    if (this.pos !== this.end) throw this.corrupt(`${this.end - this.pos} trailing bytes`);
  }

  private need(n: number): void {
    if (this.pos + n > this.end) throw this.corrupt('truncated');
  }
  corrupt(message: string): CorruptionError {
    return new CorruptionError(`stored ${this.what}: ${message}`);
  }
}
