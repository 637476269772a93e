import { corrupt } from './byte-reader.js';

const two32 = 2 ** 32;

/**
 * int64 fields are read as two 32-bit halves: a range check on the high half replaces a BigInt
 * allocation per field, and every value that fits a safe integer round-trips exactly.
 */
export function readInt64(view: DataView, at: number, what: string): number {
  const hi = view.getInt32(at);
  const lo = view.getUint32(at + 4);
  if (hi > 0x1fffff || hi < -0x200000) {
    throw corrupt(`${what} ${view.getBigInt64(at)} is outside the safe integer range`);
  }
  return hi * two32 + lo;
}

export function writeInt64(view: DataView, at: number, value: number): void {
  const hi = Math.floor(value / two32);
  view.setInt32(at, hi);
  view.setUint32(at + 4, value - hi * two32);
}
