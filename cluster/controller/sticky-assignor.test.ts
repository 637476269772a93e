import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { partitionKey, type PartitionSet } from './partition-set.js';
import { assignSticky, type AssignorMember } from './sticky-assignor.js';
import { assignmentProblems } from './test-helpers.js';

const topicNames = ['a', 'b', 'c'];

const countsArb = fc
  .tuple(...topicNames.map(() => fc.integer({ min: 0, max: 12 })))
  .map((ns) => new Map(topicNames.map((t, i) => [t, ns[i] ?? 0])));

const subscriptionArb = fc.subarray(topicNames, { minLength: 1 });

function membersOf(ids: readonly string[], topics: (id: string) => readonly string[]): AssignorMember[] {
  return ids.map((memberId) => ({ memberId, topics: topics(memberId), current: [] }));
}

/** Runs the assignor again with each member's previous result as its current target. */
function reassign(
  members: readonly { memberId: string; topics: readonly string[] }[],
  previous: ReadonlyMap<string, PartitionSet>,
  counts: ReadonlyMap<string, number>,
): Map<string, PartitionSet> {
  return assignSticky(
    members.map((m) => ({ ...m, current: previous.get(m.memberId) ?? [] })),
    counts,
  );
}

function countIn(set: PartitionSet, topics: ReadonlySet<string>): number {
  return set.filter((p) => topics.has(p.topic)).length;
}

function keys(set: PartitionSet | undefined): Set<string> {
  return new Set((set ?? []).map(partitionKey));
}

/** Within every set of topics with the same subscribers, shares differ by at most one. */
function checkBalanced(members: readonly AssignorMember[], result: ReadonlyMap<string, PartitionSet>): void {
  const classes = new Map<string, Set<string>>();
  for (const t of topicNames) {
    const subs = members.filter((m) => m.topics.includes(t)).map((m) => m.memberId);
    if (subs.length === 0) continue;
    const key = JSON.stringify(subs);
    classes.set(key, (classes.get(key) ?? new Set()).add(t));
  }
  for (const [key, topics] of classes) {
    const subs = JSON.parse(key) as string[];
    const shares = subs.map((id) => countIn(result.get(id) ?? [], topics));
    expect(Math.max(...shares) - Math.min(...shares)).toBeLessThanOrEqual(1);
  }
}

describe('assignSticky', () => {
  it('assigns every subscribed partition once, to a subscriber, balanced per subscription', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5'), { minLength: 1 }),
        fc.array(subscriptionArb, { minLength: 5, maxLength: 5 }),
        countsArb,
        (ids, subs, counts) => {
          const members = membersOf(ids, (id) => subs[Number(id.slice(1)) - 1] ?? ['a']);
          const result = assignSticky(members, counts);
          expect(assignmentProblems(members, result, counts)).toEqual([]);
          checkBalanced(members, result);
        },
      ),
    );
  });

  it('is deterministic: the order members are given in does not matter, and a rerun changes nothing', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom('m1', 'm2', 'm3', 'm4'), { minLength: 1 }),
        fc.array(subscriptionArb, { minLength: 4, maxLength: 4 }),
        countsArb,
        (ids, subs, counts) => {
          const members = membersOf(ids, (id) => subs[Number(id.slice(1)) - 1] ?? ['a']);
          const once = assignSticky(members, counts);
          expect(assignSticky([...members].reverse(), counts)).toEqual(once);
          expect(reassign(members, once, counts)).toEqual(once);
        },
      ),
    );
  });

  it('a joining member takes only from the others; nobody else gains a partition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 40 }), (size, n) => {
        const counts = new Map([['a', n]]);
        const ids = Array.from({ length: size }, (_, i) => `m${i}`);
        const all = (id: string) => ({ memberId: id, topics: ['a'] });
        const before = reassign(ids.map(all), new Map(), counts);
        const after = reassign([...ids, 'new'].map(all), before, counts);
        for (const id of ids) {
          const kept = keys(after.get(id));
          for (const k of kept) expect(keys(before.get(id)).has(k)).toBe(true);
        }
        const moved = ids.reduce(
          (sum, id) => sum + (before.get(id)?.length ?? 0) - (after.get(id)?.length ?? 0),
          0,
        );
        expect(moved).toBe(after.get('new')?.length);
        const share = n / (size + 1);
        expect([Math.floor(share), Math.ceil(share)]).toContain(after.get('new')?.length);
        checkBalanced(
          [...ids, 'new'].map((id) => ({ ...all(id), current: [] })),
          after,
        );
      }),
    );
  });

  it("a leaving member's partitions move and nothing else does", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.nat(),
        (size, n, pick) => {
          const counts = new Map([
            ['a', n],
            ['b', Math.floor(n / 2)],
          ]);
          const ids = Array.from({ length: size }, (_, i) => `m${i}`);
          const all = (id: string) => ({ memberId: id, topics: ['a', 'b'] });
          const before = reassign(ids.map(all), new Map(), counts);
          const leaver = ids[pick % size] as string;
          const rest = ids.filter((id) => id !== leaver);
          const after = reassign(rest.map(all), before, counts);
          for (const id of rest) {
            for (const k of keys(before.get(id))) expect(keys(after.get(id)).has(k)).toBe(true);
          }
          checkBalanced(
            rest.map((id) => ({ ...all(id), current: [] })),
            after,
          );
        },
      ),
    );
  });

  it('three members joining one by one over 6 partitions: each join moves only what it must', () => {
    const counts = new Map([['t', 6]]);
    const sub = (id: string) => ({ memberId: id, topics: ['t'] });
    const one = reassign([sub('a')], new Map(), counts);
    expect(one.get('a')?.length).toBe(6);
    const two = reassign([sub('a'), sub('b')], one, counts);
    expect(two.get('a')?.map((p) => p.partition)).toEqual([0, 1, 2]);
    expect(two.get('b')?.map((p) => p.partition)).toEqual([3, 4, 5]);
    const three = reassign([sub('a'), sub('b'), sub('c')], two, counts);
    expect(three.get('a')?.map((p) => p.partition)).toEqual([0, 1]);
    expect(three.get('b')?.map((p) => p.partition)).toEqual([3, 4]);
    expect(three.get('c')?.map((p) => p.partition)).toEqual([2, 5]);
  });

  it('ignores current partitions of topics a member no longer subscribes to', () => {
    const counts = new Map([
      ['a', 2],
      ['b', 2],
    ]);
    const result = assignSticky(
      [{ memberId: 'x', topics: ['b'], current: [{ topic: 'a', partition: 0 }] }],
      counts,
    );
    expect(result.get('x')).toEqual([
      { topic: 'b', partition: 0 },
      { topic: 'b', partition: 1 },
    ]);
  });
});
