import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { LeaseExtender } from './lease-extender.js';
import type { LeaseOutcome } from './lease-settler.js';

const ref = { topic: 't', partition: 0, offset: 0, leaseId: 1n };

describe('LeaseExtender', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('extends at half the time left, again after each extension, until untracked', async () => {
    const at: number[] = [];
    const extender = new LeaseExtender(async (_r, ms): Promise<LeaseOutcome> => {
      at.push(Date.now());
      return { ok: true, leaseExpiresAtMs: Date.now() + ms };
    });
    extender.track(ref, 1_000, 1_000);
    await vi.advanceTimersByTimeAsync(499);
    expect(at).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(at).toEqual([500]);
    await vi.advanceTimersByTimeAsync(500);
    expect(at).toEqual([500, 1_000]);
    extender.untrack(ref);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(at).toEqual([500, 1_000]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops when the lease is gone and retries a retriable failure before expiry', async () => {
    const answers: LeaseOutcome[] = [
      { ok: false, error: new RaftlogError('TIMEOUT', 'slow') },
      { ok: false, error: new RaftlogError('LEASE_EXPIRED', 'gone') },
    ];
    const extend = vi.fn(async () => answers.shift()!);
    const extender = new LeaseExtender(extend);
    extender.track(ref, 1_000, 1_000);
    await vi.advanceTimersByTimeAsync(500);
    await vi.advanceTimersByTimeAsync(250);
    expect(extend).toHaveBeenCalledTimes(2);
    expect(extender.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('close() clears every timer', () => {
    const extender = new LeaseExtender(async () => ({ ok: true, leaseExpiresAtMs: 0 }));
    extender.track(ref, 1_000, 1_000);
    extender.track({ ...ref, offset: 1 }, 1_000, 1_000);
    extender.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
