import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodePng, distinctColours, isPng, pngSize } from './png-image.js';

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  // Chromium checks CRCs; this decoder does not, so a zero CRC keeps the test encoder short.
  return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
}

/** An RGB PNG whose rows use the given filter types in turn, encoded the slow obvious way. */
function encode(
  width: number,
  height: number,
  pixel: (x: number, y: number) => number[],
  filters: number[],
): Buffer {
  const stride = width * 3;
  const raw = Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => pixel(x, y)).flat(),
  );
  const rows = raw.map((row, y) => {
    const filter = filters[y % filters.length] ?? 0;
    const out = [filter];
    for (let i = 0; i < stride; i++) {
      const a = i >= 3 ? (row[i - 3] ?? 0) : 0;
      const b = y > 0 ? (raw[y - 1]?.[i] ?? 0) : 0;
      const c = i >= 3 && y > 0 ? (raw[y - 1]?.[i - 3] ?? 0) : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predicted = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      out.push(((row[i] ?? 0) - predicted) & 0xff);
    }
    return out;
  });
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from(rows.flat()))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('png-image', () => {
  const gradient = (x: number, y: number): number[] => [x * 20, y * 25, (x * y * 7) % 256];

  it('reads the size from IHDR and recognises the signature', () => {
    const png = encode(7, 5, gradient, [0]);
    expect(isPng(png)).toBe(true);
    expect(pngSize(png)).toEqual({ width: 7, height: 5 });
    expect(isPng(Buffer.from('<html>not a picture at all, really not</html>'))).toBe(false);
    expect(() => pngSize(Buffer.from('GIF89a'))).toThrow(/not a PNG/);
  });

  it('undoes every filter type', () => {
    const image = decodePng(encode(7, 10, gradient, [0, 1, 2, 3, 4]));
    expect(image.channels).toBe(3);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 7; x++) {
        const at = (y * 7 + x) * 3;
        expect([...image.pixels.subarray(at, at + 3)]).toEqual(gradient(x, y));
      }
    }
  });

  it('tells a flat image from a drawn one', () => {
    expect(distinctColours(decodePng(encode(9, 9, () => [255, 255, 255], [1, 4])))).toBe(1);
    expect(distinctColours(decodePng(encode(9, 9, gradient, [1, 4])))).toBeGreaterThan(40);
  });
});
