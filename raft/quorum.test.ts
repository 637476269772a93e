import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../lib/index.js';
import { jointIndex, majorityIndex } from './quorum.js';

/** The index a majority has reached, by the definition: the middle of the matches, highest first. */
function byDefinition(matches: readonly number[]): number {
  const sorted = [...matches].sort((a, b) => b - a);
  return sorted[matches.length >> 1]!;
}

describe('majorityIndex', () => {
  it('is the highest index a majority of voters has reached', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 50 }), { minLength: 1, maxLength: 9 }), (matches) => {
        const voters = matches.map((_, i) => (i + 1) as NodeId);
        const reached = majorityIndex(voters, (id) => matches[id - 1]!);
        expect(reached).toBe(byDefinition(matches));
        expect(matches.filter((m) => m >= reached).length).toBeGreaterThan(matches.length / 2);
      }),
    );
  });

  it('is Infinity without voters, so a joint configuration takes the other half', () => {
    const voters = [1, 2, 3] as NodeId[];
    const match = (id: NodeId): number => [0, 7, 5, 9][id]!;
    expect(majorityIndex([], match)).toBe(Number.POSITIVE_INFINITY);
    expect(jointIndex(voters, [], match)).toBe(7);
    expect(jointIndex(voters, [2, 3] as NodeId[], match)).toBe(5);
  });
});
