import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32c, useCrc32cAccelerator } from './crc32c.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bit-at-a-time reference, independent of the table code. */
function crc32cSlow(data: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

describe('crc32c', () => {
  it('matches the published check values', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise definition at every length and alignment', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), (data, skip) => {
        const part = data.subarray(Math.min(skip, data.length));
        expect(crc32c(part)).toBe(crc32cSlow(part));
      }),
    );
  });

  it('continues across pieces and ranges', () => {
    const data = ascii('123456789');
    expect(crc32c(data, crc32c(data.subarray(0, 4)), 4)).toBe(0xe3069283);
    expect(crc32c(data, 0, 2, 5)).toBe(crc32cSlow(data.subarray(2, 5)));
  });
});

describe('useCrc32cAccelerator', () => {
  afterEach(() => useCrc32cAccelerator(undefined));

  it('routes inputs of 512 bytes and more to an accelerator that agrees, continuing seeds', () => {
    const sizes: number[] = [];
    const agreeing = (data: Uint8Array, seed: number) => {
      sizes.push(data.length);
      return crc32cSlowSeeded(data, seed);
    };
    expect(useCrc32cAccelerator(agreeing)).toBe(true);
    sizes.length = 0;
    const data = Uint8Array.from({ length: 2000 }, (_, i) => (i * 7) & 0xff);
    expect(crc32c(data, 5, 100, 1900)).toBe(crc32cSlowSeeded(data.subarray(100, 1900), 5));
    expect(crc32c(data, 0, 0, 511)).toBe(crc32cSlow(data.subarray(0, 511)));
    expect(sizes).toEqual([1800]);
  });

  it('refuses an accelerator that disagrees and keeps the table code', () => {
    expect(useCrc32cAccelerator((data, seed) => crc32cSlowSeeded(data, seed) ^ 1)).toBe(false);
    const data = new Uint8Array(4096).fill(3);
    expect(crc32c(data)).toBe(crc32cSlow(data));
  });
});

/** The bitwise reference continuing from a previous result, as `crc32c(data, seed)` does. */
function crc32cSlowSeeded(data: Uint8Array, seed: number): number {
  let c = ~seed >>> 0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}
