import { describe, expect, it } from 'vitest';
import { runsOnGlibc } from './allocator-check.js';
import { loadNativeHeap } from './native-heap.js';

const kib = 1024;

describe('loadNativeHeap', () => {
  it('has nothing to ask off glibc', async () => {
    expect(await loadNativeHeap(false)).toBeUndefined();
  });

  it.runIf(process.platform === 'linux' && runsOnGlibc())(
    "counts Buffers outside V8's heap as in use in glibc's arenas while they live",
    async () => {
      const read = await loadNativeHeap(true);
      expect(read).toBeDefined();
      const before = read!();
      // 64 KiB each: below glibc's mmap threshold, so from its arenas, not mappings of their own.
      const held = Array.from({ length: 512 }, () => Buffer.allocUnsafeSlow(64 * kib).fill(1));
      const during = read!();
      // The count covers every thread's arena, and other test files run on other threads of this
      // process, freeing memory of their own meanwhile: half of the 32 MiB held is the margin.
      expect(during.inUseBytes - before.inUseBytes).toBeGreaterThanOrEqual((held.length * 64 * kib) / 2);
      expect(during.freeBytes).toBeGreaterThanOrEqual(0);
      expect(during.mmappedBytes).toBeGreaterThanOrEqual(0);
      expect(held.every((b) => b[0] === 1)).toBe(true);
    },
  );
});
