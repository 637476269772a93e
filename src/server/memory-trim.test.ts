import { describe, expect, it, vi } from 'vitest';
import { loadMallocTrim, startMemoryTrim, type TrimCall } from './memory-trim.js';
import { runsOnGlibc } from './allocator-check.js';

function fakeTimers() {
  let tick: (() => void) | undefined;
  const unref = vi.fn();
  const timers = {
    setInterval: vi.fn((fn: () => void) => {
      tick = fn;
      return { unref };
    }),
    clearInterval: vi.fn(() => {
      tick = undefined;
    }),
  };
  return { timers, unref, fire: () => tick?.() };
}

describe('startMemoryTrim', () => {
  it('trims on every tick, but never while the last trim still runs', () => {
    const pending: ((error: unknown) => void)[] = [];
    const trim: TrimCall = (done) => pending.push(done);
    const { timers, fire } = fakeTimers();
    startMemoryTrim(trim, 5_000, timers, () => undefined);
    expect(timers.setInterval).toHaveBeenCalledWith(expect.any(Function), 5_000);
    fire();
    fire();
    expect(pending).toHaveLength(1);
    pending[0]!(undefined);
    fire();
    expect(pending).toHaveLength(2);
  });

  it('reports a failed trim and goes on trimming', () => {
    const errors: unknown[] = [];
    let calls = 0;
    const trim: TrimCall = (done) => {
      calls++;
      done(calls === 1 ? new Error('boom') : undefined);
    };
    const { timers, fire } = fakeTimers();
    startMemoryTrim(trim, 1_000, timers, (e) => errors.push(e));
    fire();
    fire();
    expect(calls).toBe(2);
    expect(errors).toEqual([new Error('boom')]);
  });

  it('stops ticking once stopped, and does not hold the process open', () => {
    const trim = vi.fn<TrimCall>((done) => done(undefined));
    const { timers, unref, fire } = fakeTimers();
    const handle = startMemoryTrim(trim, 1_000, timers, () => undefined);
    expect(unref).toHaveBeenCalled();
    handle.stop();
    fire();
    expect(trim).not.toHaveBeenCalled();
    expect(timers.clearInterval).toHaveBeenCalled();
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
