import { defineConfig } from 'vitest/config';

// The default forks pool matters: rocksdb's addon is not context-aware and fails in a second worker thread.
// Integration suites start real node processes; they run after the unit tests, one file at a time,
// so their timing is not distorted by unit tests competing for the two cores.
export default defineConfig({
  test: {
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{lib,raft,storage,rpc,cluster,src,chaos,test}/**/*.test.ts'],
          exclude: ['test/integration/**', 'node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
