import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignRange } from './range-assignor.js';
import { assignRoundRobin } from './round-robin-assignor.js';
import type { AssignorMember } from './sticky-assignor.js';
import { assignmentProblems } from './test-helpers.js';

const topicNames = ['a', 'b', 'c'];

const countsArb = fc
  .tuple(...topicNames.map(() => fc.integer({ min: 0, max: 12 })))
  .map((ns) => new Map(topicNames.map((t, i) => [t, ns[i] ?? 0])));

const membersArb = fc
  .uniqueArray(fc.stringMatching(/^m[0-9]{1,2}$/), { minLength: 1, maxLength: 6 })
  .chain((ids) =>
    fc.tuple(
      ...ids.map((memberId) =>
        fc.subarray(topicNames, { minLength: 1 }).map((topics) => ({ memberId, topics })),
      ),
    ),
  )
  .map((ms) => ms.map((m): AssignorMember => ({ ...m, current: [] })));

const spread = (sizes: number[]): number => Math.max(...sizes) - Math.min(...sizes);

describe.each([
  ['range', assignRange],
  ['round robin', assignRoundRobin],
])('the %s assignor', (_, assign) => {
  it('assigns every subscribed partition once, whatever order the members come in', () => {
    fc.assert(
      fc.property(membersArb, countsArb, (members, counts) => {
        const result = assign(members, counts);
        expect(assignmentProblems(members, result, counts)).toEqual([]);
        expect(assign([...members].reverse(), counts)).toEqual(result);
      }),
    );
  });

  it('gives members of the same subscription shares within one of each other', () => {
    fc.assert(
      fc.property(membersArb, countsArb, (members, counts) => {
        const same = members.map((m) => ({ ...m, topics: topicNames }));
        const result = assign(same, counts);
        // Range balances each topic; round robin the whole subscription.
        for (const topic of assign === assignRange ? topicNames : ['*']) {
          const sizes = same.map(
            (m) => (result.get(m.memberId) ?? []).filter((p) => topic === '*' || p.topic === topic).length,
          );
          expect(spread(sizes)).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});
