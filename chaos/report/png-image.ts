import { inflateSync } from 'node:zlib';

const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function isPng(data: Uint8Array): boolean {
  return data.length >= 33 && Buffer.from(data.subarray(0, 8)).equals(signature);
}

/** Width and height from the IHDR chunk, which a valid PNG has first. */
export function pngSize(data: Uint8Array): { width: number; height: number } {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (!isPng(buf) || buf.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG image');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

export interface PngImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** Unfiltered samples, row after row, `width * channels` bytes each. */
  readonly pixels: Uint8Array;
}

const channelsOf: Readonly<Record<number, number>> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/**
 * Decodes an 8-bit, non-interlaced greyscale or truecolour PNG (what Chromium writes) far enough to
 * look at its pixels.
 */
export function decodePng(data: Uint8Array): PngImage {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { width, height } = pngSize(buf);
  const depth = buf[24];
  const channels = channelsOf[buf[25] ?? -1];
  if (depth !== 8 || channels === undefined || buf[28] !== 0) {
    throw new Error(`unsupported PNG: bit depth ${depth}, colour type ${buf[25]}, interlace ${buf[28]}`);
  }
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= buf.length;) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(buf.subarray(at + 8, at + 8 + length));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const filtered = inflateSync(Buffer.concat(idat));
  return { width, height, channels, pixels: unfilter(filtered, width * channels, height, channels) };
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

function predict(filter: number | undefined, a: number, b: number, c: number, y: number): number {
  switch (filter) {
    case 0:
      return 0;
    case 1:
      return a;
    case 2:
      return b;
    case 3:
      return (a + b) >> 1;
    case 4:
      return paeth(a, b, c);
    default:
      throw new Error(`bad PNG filter ${filter} on row ${y}`);
  }
}

function unfilter(data: Uint8Array, stride: number, height: number, bpp: number): Uint8Array {
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = data[y * (stride + 1)];
    const src = y * (stride + 1) + 1;
    const row = y * stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (out[row + x - bpp] ?? 0) : 0;
      const b = y > 0 ? (out[row - stride + x] ?? 0) : 0;
      const c = x >= bpp && y > 0 ? (out[row - stride + x - bpp] ?? 0) : 0;
      const raw = data[src + x] ?? 0;
      out[row + x] = (raw + predict(filter, a, b, c, y)) & 0xff;
    }
  }
  return out;
}

/** How many different colours the image has, counting up to `limit`. */
export function distinctColours(image: PngImage, limit = 1_000_000): number {
  const seen = new Set<number>();
  const { pixels, channels } = image;
  for (let i = 0; i < pixels.length && seen.size < limit; i += channels) {
    let colour = 0;
    for (let c = 0; c < channels; c++) colour = colour * 256 + (pixels[i + c] ?? 0);
    seen.add(colour);
  }
  return seen.size;
}
