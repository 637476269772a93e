import { describe, expect, it } from 'vitest';
import { CompactionReach } from './compaction-reach.js';

describe('CompactionReach', () => {
  it('answers the furthest bound in force by a time, and nothing before the first one seen', () => {
    const reach = new CompactionReach();
    reach.note(0, 1_000);
    reach.note(100, 2_000);
    reach.note(100, 3_000);
    reach.note(250, 4_000);
    expect(reach.reachedBy(999)).toBe(0);
    expect(reach.reachedBy(2_500)).toBe(100);
    // The bound seen again at 3 s was in force since 2 s.
    expect(reach.reachedBy(3_999)).toBe(100);
    expect(reach.reachedBy(4_000)).toBe(250);
  });

  it('takes a clock set back as standing still', () => {
    const reach = new CompactionReach();
    reach.note(100, 5_000);
    reach.note(200, 1_000);
    expect(reach.reachedBy(4_999)).toBe(0);
    expect(reach.reachedBy(5_000)).toBe(200);
  });

  it('stays bounded and, thinned, only ever answers lower', () => {
    const reach = new CompactionReach();
    const full: [number, number][] = [];
    for (let i = 1; i <= 1_000; i++) {
      reach.note(i * 10, i * 100);
      full.push([i * 10, i * 100]);
    }
    for (let cutoff = 0; cutoff <= 100_000; cutoff += 37) {
      const exact = full.filter(([, at]) => at <= cutoff).at(-1)?.[0] ?? 0;
      expect(reach.reachedBy(cutoff)).toBeLessThanOrEqual(exact);
    }
    expect(reach.reachedBy(100_000)).toBe(10_000);
    expect(reach.reachedBy(100)).toBe(10);
  });
});
