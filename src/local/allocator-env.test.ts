import { describe, expect, it } from 'vitest';
import { nodeAllocatorEnv, nodeProcessEnv } from './allocator-env.js';

describe('nodeProcessEnv', () => {
  it('gives a node the fixed malloc thresholds unless the parent or the spec sets its own', () => {
    expect(nodeProcessEnv({ PATH: '/bin' }, undefined)).toEqual({ ...nodeAllocatorEnv, PATH: '/bin' });
    const chosen = nodeProcessEnv({ MALLOC_ARENA_MAX: '4' }, { MALLOC_MMAP_THRESHOLD_: '65536', X: '1' });
    expect(chosen).toMatchObject({ MALLOC_ARENA_MAX: '4', MALLOC_MMAP_THRESHOLD_: '65536', X: '1' });
  });
});
