import { RaftlogError } from '../../lib/index.js';

const two32 = 2 ** 32;

/** Big-endian writer into a buffer sized up front, so encoding allocates exactly once. */
export class BinaryWriter {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  pos = 0;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  u8(v: number): this {
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }
  u16(v: number): this {
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }
  i32(v: number): this {
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }
  u32(v: number): this {
    this.view.setUint32(this.pos, v);
    this.pos += 4;
    return this;
  }
  /** Any safe integer, negative ones included (two's complement over 64 bits). */
  i64(v: number): this {
    const hi = Math.floor(v / two32);
    this.view.setInt32(this.pos, hi);
    this.view.setUint32(this.pos + 4, v - hi * two32);
    this.pos += 8;
    return this;
  }
  raw(b: Uint8Array): this {
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }
}

/** Bounds-checked big-endian reader: running off the end or an out-of-range value is CORRUPT_MESSAGE. */
export class BinaryReader {
  private readonly view: DataView;
  pos = 0;

  constructor(
    readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  corrupt(message: string): RaftlogError {
    return new RaftlogError('CORRUPT_MESSAGE', `${this.what}: ${message}`);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw this.corrupt(`truncated at byte ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i64(): number {
    this.need(8);
    const hi = this.view.getInt32(this.pos);
    const lo = this.view.getUint32(this.pos + 4);
    if (hi > 0x1fffff || hi < -0x200000)
      throw this.corrupt(`int64 at byte ${this.pos} is not a safe integer`);
    this.pos += 8;
    return hi * two32 + lo;
  }
  /** A non-negative i64. */
  u64(): number {
    const at = this.pos;
    const v = this.i64();
    if (v < 0) throw this.corrupt(`negative value at byte ${at}`);
    return v;
  }
  /** The next `n` bytes, as a view. */
  take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw this.corrupt(`length ${n} at byte ${this.pos}`);
    this.need(n);
    const view = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return view;
  }
  /** The rest of the bytes, as a view. */
  rest(): Uint8Array {
    const view = this.bytes.subarray(this.pos);
    this.pos = this.bytes.length;
    return view;
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  done(): void {
    if (this.pos !== this.bytes.length) throw this.corrupt(`${this.bytes.length - this.pos} bytes left over`);
  }
}
