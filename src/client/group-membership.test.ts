import { describe, expect, it } from 'vitest';
import { partitionKey } from './assignment-diff.js';
import { CoordinatorClient } from './coordinator-client.js';
import { GroupMembership, type MemberHooks, type RevokeReason } from './group-membership.js';
import { resolveGroupOptions } from './group-options.js';
import { GroupCoordinatorSim, toRef } from './testing/group-coordinator-sim.js';
import type { TopicPartitionRef } from './types.js';

/** A member whose consumption is a set; it logs every revocation and assignment. */
function member(sim: GroupCoordinatorSim, name: string, instanceId?: string) {
  const consumed = new Set<string>();
  const log: string[] = [];
  const hooks: MemberHooks = {
    consumed: () => [...consumed].map(toRef),
    revoke: async (ps: readonly TopicPartitionRef[], reason: RevokeReason) => {
      for (const p of ps) consumed.delete(partitionKey(p));
      log.push(`${reason} ${ps.map(partitionKey).join(',')}`);
    },
    assign: async (ps: readonly TopicPartitionRef[]) => {
      for (const p of ps) consumed.add(partitionKey(p));
      log.push(`assign ${ps.map(partitionKey).join(',')}`);
    },
    fail: (e) => log.push(`fail ${e.code}`),
  };
  const options = resolveGroupOptions({
    groupId: 'g',
    topics: ['t'],
    sessionTimeoutMs: 600,
    ...(instanceId === undefined ? {} : { groupInstanceId: instanceId }),
  });
  const coordinator = new CoordinatorClient(
    sim.client(),
    { kind: 'group', key: 'g' },
    { backoffBaseMs: 5, backoffMaxMs: 20 },
  );
  const membership = new GroupMembership(coordinator, options, hooks);
  return { name, consumed, log, membership };
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const partitions = [...Array(6).keys()].map((p) => `t/${p}`);

/** Every partition consumed by exactly one member, each member at its fair share. */
function balanced(members: readonly { consumed: Set<string> }[]): boolean {
  const all = members.flatMap((m) => [...m.consumed]);
  const share = partitions.length / members.length;
  return (
    all.length === partitions.length &&
    new Set(all).size === all.length &&
    members.every((m) => Math.abs(m.consumed.size - share) < 1)
  );
}

describe('GroupMembership against the coordinator rules', () => {
  it('moves only the surplus partitions as members join, and never runs one partition twice', async () => {
    const sim = new GroupCoordinatorSim('t', 6, 0);
    const a = member(sim, 'a');
    a.membership.start();
    await until(() => a.consumed.size === 6);
    const before = new Set(a.consumed);
    const b = member(sim, 'b');
    const overlap: string[] = [];
    const watch = setInterval(() => {
      for (const k of a.consumed) if (b.consumed.has(k)) overlap.push(k);
    }, 1);
    b.membership.start();
    await until(() => balanced([a, b]));
    const bBefore = new Set(b.consumed);
    const c = member(sim, 'c');
    c.membership.start();
    await until(() => balanced([a, b, c]));
    clearInterval(watch);
    expect(overlap).toEqual([]);
    // a only ever gave partitions away: what it kept it never stopped consuming.
    expect([...a.consumed].every((k) => before.has(k))).toBe(true);
    expect(a.log.filter((l) => l.startsWith('assign'))).toHaveLength(1);
    // b gives c exactly its one surplus partition, in one revocation.
    expect([...b.consumed].every((k) => bBefore.has(k))).toBe(true);
    expect(b.log.filter((l) => l.startsWith('rebalance'))).toEqual([
      expect.stringMatching(/^rebalance t\/\d$/),
    ]);
    await Promise.all([a, b, c].map((m) => m.membership.halt()));
  });

  it('hands a leaving member partitions to the others', async () => {
    const sim = new GroupCoordinatorSim('t', 6, 0);
    const ms = ['a', 'b', 'c'].map((n) => member(sim, n));
    for (const m of ms) m.membership.start();
    await until(() => balanced(ms));
    const [a, b, c] = ms as [(typeof ms)[0], (typeof ms)[0], (typeof ms)[0]];
    await c.membership.halt();
    await c.membership.leave();
    await until(() => balanced([a, b]));
    expect(a.log.some((l) => l.startsWith('rebalance'))).toBe(false);
    await a.membership.halt();
    await b.membership.halt();
  });

  it('drops everything without committing when expired, and joins afresh', async () => {
    const sim = new GroupCoordinatorSim('t', 6, 0);
    const a = member(sim, 'a');
    a.membership.start();
    await until(() => a.consumed.size === 6);
    const oldId = a.membership.metadata().memberId;
    sim.remove(oldId);
    await until(() => a.log.some((l) => l.startsWith('lost')) && a.consumed.size === 6);
    expect(a.log.find((l) => l.startsWith('lost'))).toBe(`lost ${partitions.join(',')}`);
    expect(a.membership.metadata().memberId).not.toBe(oldId);
    await a.membership.halt();
  });

  it('a static member restarted with its instance id gets its partitions back without moving others', async () => {
    const sim = new GroupCoordinatorSim('t', 6, 0);
    const a = member(sim, 'a', 'pod-a');
    const b = member(sim, 'b', 'pod-b');
    a.membership.start();
    b.membership.start();
    await until(() => balanced([a, b]));
    const had = [...a.consumed].sort();
    const generation = sim.generation;
    await a.membership.halt();
    const again = member(sim, 'a2', 'pod-a');
    again.membership.start();
    await until(() => again.consumed.size === 3);
    expect([...again.consumed].sort()).toEqual(had);
    expect(sim.generation).toBe(generation);
    expect(b.log.filter((l) => !l.startsWith('assign'))).toEqual([]);
    await again.membership.halt();
    await b.membership.halt();
  });
});
