import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RandomValues } from './random-values.js';

describe('RandomValues', () => {
  it('gives values of the asked size that do not repeat within a batch and do not compress', () => {
    const values = new RandomValues(1024);
    const batch = Array.from({ length: 512 }, () => values.take());
    expect(batch.every((v) => v.length === 1024)).toBe(true);
    expect(new Set(batch.map((v) => Buffer.from(v).toString('hex'))).size).toBe(512);
    const joined = Buffer.concat(batch);
    expect(deflateRawSync(joined).length).toBeGreaterThan(joined.length * 0.99);
  });

  it('wraps around the pool', () => {
    const values = new RandomValues(5 * 1024 * 1024);
    const [a, b, c] = [values.take(), values.take(), values.take()];
    expect([a.length, b.length, c.length]).toEqual([5 * 1024 * 1024, 5 * 1024 * 1024, 5 * 1024 * 1024]);
    expect(c.byteOffset).toBe(a.byteOffset);
  });
});
