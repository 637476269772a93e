import { describe, expect, it } from 'vitest';
import { ByteBudget } from './byte-budget.js';

describe('ByteBudget', () => {
  it('makes acquirers wait for space and serves them in order', async () => {
    const budget = new ByteBudget(100);
    await budget.acquire(80);
    const order: string[] = [];
    const big = budget.acquire(60).then(() => order.push('big'));
    const small = budget.acquire(10).then(() => order.push('small'));
    await Promise.resolve();
    expect(order).toEqual([]);
    budget.release(80);
    await Promise.all([big, small]);
    expect(order).toEqual(['big', 'small']);
    expect(budget.usedBytes).toBe(70);
  });

  it('takes space at once only when it needs no wait', async () => {
    const budget = new ByteBudget(100);
    expect(budget.tryAcquire(70)).toBe(true);
    expect(budget.tryAcquire(40)).toBe(false);
    const queued = budget.acquire(40);
    // Room for 20 is left, but a waiter is queued first: taking it would starve the waiter.
    expect(budget.tryAcquire(20)).toBe(false);
    budget.release(70);
    await queued;
    expect(budget.tryAcquire(60)).toBe(true);
    expect(budget.usedBytes).toBe(100);
  });

  it('refuses a single request larger than the whole budget', async () => {
    await expect(new ByteBudget(10).acquire(11)).rejects.toMatchObject({ code: 'MESSAGE_TOO_LARGE' });
  });
});
