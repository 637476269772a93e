import { describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../lib/index.js';
import { loadMallocTrim, startMemoryTrim, type TrimCall } from './memory-trim.js';
import { runsOnGlibc } from './allocator-check.js';

describe('startMemoryTrim', () => {
  it('trims on every tick, but never while the last trim still runs', () => {
    const pending: ((error: unknown) => void)[] = [];
    const trim: TrimCall = (done) => pending.push(done);
    const clock = new ManualClock();
    startMemoryTrim(trim, 5_000, clock, () => undefined);
    clock.advance(4_999);
    expect(pending).toHaveLength(0);
    clock.advance(1);
    clock.advance(5_000);
    expect(pending).toHaveLength(1);
    pending[0]!(undefined);
    clock.advance(5_000);
    expect(pending).toHaveLength(2);
  });

  it('reports a failed trim and goes on trimming', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const trim: TrimCall = (done) => {
      calls++;
      done(calls === 1 ? new Error('boom') : undefined);
    };
    const clock = new ManualClock();
    startMemoryTrim(trim, 1_000, clock, (e) => errors.push(e));
    clock.advance(1_000);
    clock.advance(1_000);
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('stops once its timer is cancelled', () => {
    const trim = vi.fn<TrimCall>((done) => done(undefined));
    const clock = new ManualClock();
    const timer = startMemoryTrim(trim, 1_000, clock, () => undefined);
    clock.advance(1_000);
    timer.cancel();
    clock.advance(5_000);
    expect(trim).toHaveBeenCalledTimes(1);
  });
});

describe('loadMallocTrim', () => {
  it('has nothing to call off glibc', async () => {
    expect(await loadMallocTrim(false)).toBeUndefined();
  });

  it.runIf(process.platform === 'linux' && runsOnGlibc())(
    'calls glibc malloc_trim on a worker thread',
    async () => {
      const trim = await loadMallocTrim(true);
      expect(trim).toBeDefined();
      const error = await new Promise<unknown>((resolve) => trim!(resolve));
      expect(error ?? undefined).toBeUndefined();
    },
  );
});
