import { describe, expect, it } from 'vitest';
import { forEachBounded } from './bounded-parallel.js';

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('running work on many items, a bounded number at a time', () => {
  it('starts every item in order and never runs more than the bound at once', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    await forEachBounded([...Array(50).keys()], 4, async (i) => {
      started.push(i);
      most = Math.max(most, ++running);
      await tick();
      running--;
    });
    expect(started).toEqual([...Array(50).keys()]);
    expect(most).toBe(4);
  });

  it('starts nothing new after a failure, lets the running ones end, then throws the first error', async () => {
    const ended: number[] = [];
    const run = forEachBounded([...Array(10).keys()], 2, async (i) => {
      await tick();
      if (i === 1) throw new Error('one failed');
      ended.push(i);
    });
    await expect(run).rejects.toThrow('one failed');
    expect(ended).toEqual([0, 2]);
  });
});
