import { describe, expect, it } from 'vitest';
import { allFaultKinds, planFaults } from './fault-plan.js';

describe('fault plan', () => {
  it('replays the same schedule for the same seed, and another for another seed', () => {
    expect(planFaults(allFaultKinds, 7, 60_000, 3)).toEqual(planFaults(allFaultKinds, 7, 60_000, 3));
    expect(planFaults(allFaultKinds, 7, 60_000, 3)).not.toEqual(planFaults(allFaultKinds, 8, 60_000, 3));
  });

  it('puts every kind in the first round, so even a short run injects each', () => {
    const plan = planFaults(allFaultKinds, 11, 1, 3);
    expect(new Set(plan.slice(0, allFaultKinds.length).map((f) => f.kind))).toEqual(new Set(allFaultKinds));
  });

  it('fills the duration and plans no more than one fault past it', () => {
    const plan = planFaults(['kill'], 3, 30_000, 3);
    const total = plan.reduce((ms, f) => ms + f.gapMs + f.holdMs, 0);
    const last = plan.at(-1)!;
    expect(total).toBeGreaterThanOrEqual(30_000);
    expect(total - last.gapMs - last.holdMs).toBeLessThan(30_000);
  });

  it('never plans a majorities ring on fewer than five nodes, where it would cut nothing', () => {
    for (let seed = 0; seed < 50; seed++) {
      expect(planFaults(['partition'], seed, 60_000, 3).some((f) => f.shape === 'majorities-ring')).toBe(
        false,
      );
    }
  });
});
