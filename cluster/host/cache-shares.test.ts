import { describe, expect, it } from 'vitest';
import { CacheShares } from './cache-shares.js';

describe('sharing the log cache among groups', () => {
  it('keeps the sum of the shares within the bound while groups are added one by one', () => {
    const shares = new CacheShares(1_000_000);
    const given: number[] = [];
    let reshares = 0;
    for (let groups = 1; groups <= 10_000; groups++) {
      const { shareBytes, reshare } = shares.plan(groups);
      if (reshare) {
        reshares++;
        given.fill(shareBytes);
      }
      given.push(shareBytes);
      expect(given.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1_000_000);
    }
    // Every group is visited a logarithmic number of times, not once per group added.
    expect(reshares).toBeLessThan(120);
  });

  it('gives one group the whole cache, and grows the shares again once many groups left', () => {
    const shares = new CacheShares(1_000);
    expect(shares.plan(1)).toEqual({ shareBytes: 1_000, reshare: true });
    expect(shares.plan(100).reshare).toBe(true);
    expect(shares.plan(90)).toEqual({ shareBytes: 9, reshare: false });
    expect(shares.plan(50)).toEqual({ shareBytes: 18, reshare: true });
  });
});
