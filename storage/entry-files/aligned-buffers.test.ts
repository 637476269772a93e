import { describe, expect, it } from 'vitest';
import { AlignedBuffers } from './aligned-buffers.js';

describe('AlignedBuffers', () => {
  it('lends each buffer once, makes a borrower wait for a return, and lends the last returned first', async () => {
    const pool = new AlignedBuffers(64 * 1024, 2);
    const a = await pool.acquire();
    const b = await pool.acquire();
    expect(a.byteLength).toBe(64 * 1024);
    expect(a.buffer).toBe(b.buffer);
    expect(Math.abs(a.byteOffset - b.byteOffset)).toBe(64 * 1024);
    let third: Buffer | undefined;
    const waiting = pool.acquire().then((x) => (third = x));
    await Promise.resolve();
    expect(third).toBeUndefined();
    pool.release(b);
    await waiting;
    expect(third).toBe(b);
    pool.release(a);
    pool.release(b);
    expect(await pool.acquire()).toBe(b);
  });

  it('takes only whole WebAssembly pages', () => {
    expect(() => new AlignedBuffers(4096, 1)).toThrow(/multiple of 64 KiB/);
  });
});
