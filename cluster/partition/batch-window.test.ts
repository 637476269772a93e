import { describe, expect, it } from 'vitest';
import { BatchWindow } from './batch-window.js';

const batch = (n: number) => ({ baseSequence: n * 10, lastSequence: n * 10 + 9, baseOffset: 2 ** 40 + n });

describe('BatchWindow', () => {
  it('keeps the newest batches up to the horizon, oldest first', () => {
    const window = new BatchWindow();
    for (let n = 0; n < 7; n++) window.push(batch(n), 4);
    expect(window.length).toBe(4);
    expect([...window]).toEqual([3, 4, 5, 6].map(batch));
  });

  it('finds a kept batch by its base sequence, and none that was dropped', () => {
    const window = new BatchWindow();
    for (let n = 0; n < 5; n++) window.push(batch(n), 3);
    expect(window.find(40)).toEqual(batch(4));
    expect(window.find(20)).toEqual(batch(2));
    expect(window.find(10)).toBeUndefined();
    expect(window.find(41)).toBeUndefined();
  });

  it('copies independently and clears', () => {
    const window = new BatchWindow();
    window.push(batch(1), 10);
    const copy = window.copy();
    window.push(batch(2), 10);
    expect([...copy]).toEqual([batch(1)]);
    window.clear();
    expect(window.length).toBe(0);
    expect([...window]).toEqual([]);
    expect(copy.length).toBe(1);
  });
});
