import { defineConfig } from 'vitest/config';

// The default forks pool matters: rocksdb's addon is not context-aware and fails in a second worker thread.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['{lib,raft,storage,cluster,src,chaos,test}/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
