import { RaftlogError } from '../raftlog-error.js';

/** Zigzag values up to 2^52 in magnitude keep the unsigned form within 2^53, exact in a double. */
export const varlongMagnitudeMax = 2 ** 52;

export function corrupt(message: string): RaftlogError {
  return new RaftlogError('CORRUPT_MESSAGE', message);
}

/**
 * A bounds-checked cursor over untrusted bytes: every read past `end` or any malformed varint becomes
 * CORRUPT_MESSAGE, so garbage input never surfaces as a RangeError.
 */
export class ByteReader {
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start: number,
    public end: number,
  ) {
    this.pos = start;
  }

  /** Points the reader at [start, end) of the same bytes, so a walk over many records reuses one reader. */
  reset(start: number, end: number): this {
    this.pos = start;
    this.end = end;
    return this;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  int8(): number {
    this.need(1, 'int8');
    const b = this.bytes[this.pos++]!;
    return b >= 0x80 ? b - 0x100 : b;
  }

  /** Zigzag varint holding an int32 (at most five bytes). */
  varint(what: string): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1, what);
      const b = this.bytes[this.pos++]!;
      if (shift === 28 && b > 0x0f) throw corrupt(`${what}: varint overflows 32 bits`);
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return (result >>> 1) ^ -(result & 1);
    }
    throw corrupt(`${what}: varint longer than 5 bytes`);
  }

  /** Zigzag varlong limited to what a JS number holds exactly. */
  varlong(what: string): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      this.need(1, what);
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (result > 2 ** 53) throw corrupt(`${what}: varlong beyond 2^53`);
      if ((b & 0x80) === 0) return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
      scale *= 128;
    }
    throw corrupt(`${what}: varlong longer than 10 bytes`);
  }

  /** A zero-copy view of the next `length` bytes. */
  slice(length: number, what: string): Uint8Array {
    this.need(length, what);
    const view = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  /** Moves past the next `length` bytes without looking at them. */
  skip(length: number, what: string): void {
    this.need(length, what);
    this.pos += length;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw corrupt(`${what}: needs ${n} bytes at ${this.pos}, record ends at ${this.end}`);
    }
  }
}

export function zigzag32(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}

export function varintSize(n: number): number {
  let v = zigzag32(n);
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}

export function writeVarint(bytes: Uint8Array, pos: number, n: number): number {
  let v = zigzag32(n);
  while (v >= 0x80) {
    bytes[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  bytes[pos++] = v;
  return pos;
}

function zigzagLong(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

export function varlongSize(n: number): number {
  let v = zigzagLong(n);
  let size = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    size++;
  }
  return size;
}

export function writeVarlong(bytes: Uint8Array, pos: number, n: number): number {
  let v = zigzagLong(n);
  while (v >= 128) {
    bytes[pos++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  bytes[pos++] = v;
  return pos;
}
