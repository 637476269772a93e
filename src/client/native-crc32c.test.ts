import { afterEach, describe, expect, it } from 'vitest';
import { crc32c, useCrc32cAccelerator } from '../../lib/index.js';
import { useNativeCrc32c } from './native-crc32c.js';

describe('useNativeCrc32c', () => {
  afterEach(() => useCrc32cAccelerator(undefined));

  it('loads on this platform and gives the table code results at every size and offset', () => {
    const data = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 131 + (i >> 8)) & 0xff);
    const cases: [number, number, number][] = [
      [0, 70_000, 0],
      [3, 600, 7],
      [511, 1100, 0xffffffff],
      [9, 9 + 511, 1],
    ];
    const expected = cases.map(([start, end, seed]) => crc32c(data, seed, start, end));
    expect(useNativeCrc32c()).toBe(true);
    expect(cases.map(([start, end, seed]) => crc32c(data, seed, start, end))).toEqual(expected);
  });
});
