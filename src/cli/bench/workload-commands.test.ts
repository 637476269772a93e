import { describe, expect, it } from 'vitest';
import { shapeOf, type WorkloadFlags } from './workload-commands.js';

const flags: WorkloadFlags = {
  recordBytes: [1024],
  count: 100,
  acks: 'quorum',
  concurrency: 1024,
  idempotence: true,
  partitions: 1,
  replicas: 0,
  timeoutMs: 1000,
};

describe('bench run shape', () => {
  it('runs many in flight by default', () => {
    expect(shapeOf(flags).oneAtATime).toBe(false);
  });

  it('treats a closed loop of one as one at a time, so no send waits out the linger', () => {
    expect(shapeOf({ ...flags, concurrency: 1 }).oneAtATime).toBe(true);
    expect(shapeOf({ ...flags, oneAtATime: true }).oneAtATime).toBe(true);
  });

  it('leaves an open loop open whatever its concurrency', () => {
    expect(shapeOf({ ...flags, concurrency: 1, rate: 500 }).oneAtATime).toBe(false);
    expect(shapeOf({ ...flags, concurrency: 1, rateOfPeak: [0.5] }).oneAtATime).toBe(false);
  });
});
