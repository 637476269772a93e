import { describe, expect, it } from 'vitest';
import { ManualClock, RaftlogError } from '../../lib/index.js';
import { AppliedIndexWaiters } from './applied-index-waiters.js';

/** Settles of `promise` so far: 'pending', 'resolved' or the rejection's code. */
function track(promise: Promise<void>): { readonly outcome: string } {
  const seen = { outcome: 'pending' };
  promise.then(
    () => (seen.outcome = 'resolved'),
    (error: RaftlogError) => (seen.outcome = error.code),
  );
  return seen;
}

const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('waiting for a replica to apply an index', () => {
  it('resolves exactly when the index applies, not before', async () => {
    const clock = new ManualClock();
    const waiters = new AppliedIndexWaiters(clock);
    const wait = track(waiters.wait(7, 10_000));
    waiters.applied(6);
    await settled();
    expect(wait.outcome).toBe('pending');
    waiters.applied(7);
    await settled();
    expect(wait.outcome).toBe('resolved');
    expect(waiters.pendingCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('resolves every waiter an apply passes, and at once for an index already applied', async () => {
    const waiters = new AppliedIndexWaiters(new ManualClock());
    const low = track(waiters.wait(3, 1_000));
    const high = track(waiters.wait(9, 1_000));
    waiters.applied(5);
    await settled();
    expect([low.outcome, high.outcome]).toEqual(['resolved', 'pending']);
    const past = track(waiters.wait(4, 1_000));
    await settled();
    expect(past.outcome).toBe('resolved');
  });

  it('times out at the deadline and not a millisecond earlier, leaving no timer', async () => {
    const clock = new ManualClock();
    const waiters = new AppliedIndexWaiters(clock);
    const wait = track(waiters.wait(2, 500));
    clock.advance(499);
    await settled();
    expect(wait.outcome).toBe('pending');
    clock.advance(1);
    await settled();
    expect(wait.outcome).toBe('TIMEOUT');
    expect(waiters.pendingCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
    waiters.applied(2);
  });

  it('rejects what still waits when the node stops, and cancels the timers', async () => {
    const clock = new ManualClock();
    const waiters = new AppliedIndexWaiters(clock);
    const a = track(waiters.wait(2, 500));
    const b = track(waiters.wait(3, 500));
    waiters.failAll(new RaftlogError('UNAVAILABLE', 'stopping'));
    await settled();
    expect([a.outcome, b.outcome]).toEqual(['UNAVAILABLE', 'UNAVAILABLE']);
    expect(clock.pendingCount).toBe(0);
  });
});
