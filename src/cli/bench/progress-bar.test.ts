import { describe, expect, it } from 'vitest';
import { steppedProgress } from './progress-bar.js';

describe('steppedProgress', () => {
  it('moves the bar once a step has added up and hands over the rest on stop', () => {
    const moves: number[] = [];
    let stopped = false;
    const progress = steppedProgress({ increment: (n) => moves.push(n), stop: () => (stopped = true) }, 10);
    for (let i = 0; i < 25; i++) progress.increment(1);
    expect(moves).toEqual([10, 10]);
    progress.increment(3);
    progress.stop();
    expect(moves).toEqual([10, 10, 8]);
    expect(moves.reduce((a, b) => a + b, 0)).toBe(28);
    expect(stopped).toBe(true);
  });

  it('passes every increment on with a step of one, and nothing extra on stop', () => {
    const moves: number[] = [];
    const progress = steppedProgress({ increment: (n) => moves.push(n), stop: () => undefined }, 1);
    progress.increment(1);
    progress.increment(5);
    progress.stop();
    expect(moves).toEqual([1, 5]);
  });
});
