import { describe, expect, it } from 'vitest';
import { missingAllocatorSettings } from './allocator-check.js';

describe('missingAllocatorSettings', () => {
  it('names each glibc setting the environment lacks, and none off glibc', () => {
    expect(missingAllocatorSettings({}, true)).toEqual(['MALLOC_MMAP_THRESHOLD_', 'MALLOC_ARENA_MAX']);
    expect(missingAllocatorSettings({ MALLOC_ARENA_MAX: '8' }, true)).toEqual(['MALLOC_MMAP_THRESHOLD_']);
    expect(missingAllocatorSettings({}, false)).toEqual([]);
  });
});
