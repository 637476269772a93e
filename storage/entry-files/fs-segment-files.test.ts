import { mkdtemp, rm, stat, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsSegmentFiles } from './fs-segment-files.js';

const tmpfsMagic = 0x01021994;

/** `bytes` bytes that differ from position to position and from `seed` to `seed`. */
function pattern(bytes: number, seed: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return out;
}

function concat(chunks: readonly Uint8Array[]): Buffer {
  return Buffer.concat(chunks);
}

/** Large byte arrays compared as Buffers: a structural diff of megabytes takes minutes. */
function same(actual: Uint8Array, expected: Uint8Array): boolean {
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected);
}

describe('FsSegmentFiles', () => {
  let dir: string;
  let files: FsSegmentFiles | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlog-segment-files-'));
  });

  afterEach(async () => {
    await files?.close();
    files = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('writes with O_DIRECT where the file system takes it, and says so', async () => {
    files = await FsSegmentFiles.open(dir);
    // tmpfs takes O_DIRECT only since Linux 6.6; every disk file system does.
    const tmpfs = (await statfs(dir)).type === tmpfsMagic;
    if (process.platform === 'linux' && !tmpfs) expect(files.directIo).toBe(true);
    expect(files.writeAlignBytes).toBe(files.directIo ? 4096 : 1);
  });

  it('reads back direct writes of odd sizes, larger than a staging buffer, padded to whole blocks', async () => {
    files = await FsSegmentFiles.open(dir);
    if (!files.directIo) return;
    const first = [pattern(1000, 1), pattern(1_500_000, 2), pattern(3, 3)];
    const second = [pattern(777_777, 4)];
    const firstBytes = 1_501_003;
    const secondAt = Math.ceil(firstBytes / 4096) * 4096;
    // The later run lands first, as writes of batches committing together may.
    await files.write(1, secondAt, second);
    await files.write(1, 0, first);
    await files.sync(1);
    expect(same(await files.read(1, 0, firstBytes), concat(first))).toBe(true);
    expect(same(await files.read(1, secondAt, 777_777), second[0]!)).toBe(true);
    expect(same(await files.read(1, 999, 2), concat(first).subarray(999, 1001))).toBe(true);
    const size = (await stat(join(dir, '0000000000000001.entries'))).size;
    expect(size).toBe(Math.ceil((secondAt + 777_777) / 4096) * 4096);
  });

  it('refuses a direct write that does not start on a block boundary', async () => {
    files = await FsSegmentFiles.open(dir);
    if (!files.directIo) return;
    await expect(files.write(1, 100, [pattern(10, 1)])).rejects.toThrow(/not on a block boundary/);
  });

  it('completes more writes at once than it has staging buffers', async () => {
    files = await FsSegmentFiles.open(dir);
    const open = files;
    const data = Array.from({ length: 7 }, (_, k) => pattern(300_000 + k * 4099, k));
    await Promise.all(data.map((d, k) => open.write(k + 1, 0, [d])));
    await Promise.all(data.map((_, k) => open.sync(k + 1)));
    for (const [k, d] of data.entries()) expect(same(await open.read(k + 1, 0, d.byteLength), d)).toBe(true);
  });

  it('writes through the page cache when asked to', async () => {
    files = await FsSegmentFiles.open(dir, { directIo: false });
    expect(files.directIo).toBe(false);
    expect(files.writeAlignBytes).toBe(1);
    await files.write(1, 0, [pattern(10, 1)]);
    await files.write(1, 10, [pattern(5, 2)]);
    await files.sync(1);
    expect(same(await files.read(1, 0, 15), concat([pattern(10, 1), pattern(5, 2)]))).toBe(true);
    expect((await stat(join(dir, '0000000000000001.entries'))).size).toBe(15);
  });
});
