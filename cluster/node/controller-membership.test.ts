import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../lib/index.js';
import type { RaftStatus } from '../../raft/index.js';
import type { NodeMembership } from '../controller/index.js';
import {
  controllerSurvivesRemoval,
  nextControllerMembershipStep,
  type ControllerMember,
} from './controller-membership.js';

const ids = (xs: readonly number[]): NodeId[] => xs as NodeId[];

function status(
  voters: readonly number[],
  learners: readonly number[] = [],
  match: Readonly<Record<number, number>> = {},
  id = 1,
): RaftStatus {
  const progress = new Map(
    [...voters, ...learners].map((n) => [
      n as NodeId,
      { match: match[n] ?? 1_000, next: 1_001, state: 'replicate' as const },
    ]),
  );
  return {
    id: id as NodeId,
    term: 3,
    vote: 0,
    role: 'leader',
    leader: id as NodeId,
    commit: 1_000,
    applied: 1_000,
    lastIndex: 1_000,
    confState: {
      voters: ids(voters),
      votersOutgoing: [],
      learners: ids(learners),
      learnersNext: [],
      autoLeave: false,
    },
    progress,
  } as unknown as RaftStatus;
}

const member = (id: number, membership: NodeMembership = 'active', alive = true): ControllerMember => ({
  id: id as NodeId,
  membership,
  alive,
});
const members = (...xs: number[]): ControllerMember[] => xs.map((x) => member(x));

describe('nextControllerMembershipStep', () => {
  it('adds every live registered node outside the group as a learner, never a dead one', () => {
    const step = nextControllerMembershipStep(status([1, 2, 3]), [
      ...members(1, 2, 3, 4, 5),
      member(6, 'active', false),
    ]);
    expect(step).toEqual({
      kind: 'add-learners',
      change: {
        changes: [
          { type: 'add-learner', nodeId: 4 },
          { type: 'add-learner', nodeId: 5 },
        ],
        transition: 'auto',
      },
    });
  });

  it('promotes a learner only once it has caught up, one at a time, up to five voters', () => {
    expect(nextControllerMembershipStep(status([1, 2, 3], [4], { 4: 10 }), members(1, 2, 3, 4))).toEqual({
      kind: 'none',
    });
    expect(nextControllerMembershipStep(status([1, 2, 3], [4, 5]), members(1, 2, 3, 4, 5))).toEqual({
      kind: 'change',
      change: { changes: [{ type: 'add-voter', nodeId: 4 }], transition: 'auto' },
    });
    expect(nextControllerMembershipStep(status([1, 2, 3, 4, 5], [6]), members(1, 2, 3, 4, 5, 6))).toEqual({
      kind: 'none',
    });
  });

  it('never promotes a draining or silent learner', () => {
    const step = nextControllerMembershipStep(status([1, 2, 3], [4, 5]), [
      ...members(1, 2, 3),
      member(4, 'draining'),
      member(5, 'active', false),
    ]);
    expect(step).toEqual({ kind: 'none' });
  });

  it('removes a removed voter and promotes a caught-up learner in the same joint change', () => {
    const step = nextControllerMembershipStep(status([1, 2, 3, 4, 5], [6]), [
      ...members(1, 2, 3, 4, 6),
      member(5, 'removed', false),
    ]);
    expect(step).toEqual({
      kind: 'change',
      change: {
        changes: [
          { type: 'remove-node', nodeId: 5 },
          { type: 'add-voter', nodeId: 6 },
        ],
        transition: 'auto',
      },
    });
  });

  it('a leader that was removed hands leadership to a caught-up voter first', () => {
    const step = nextControllerMembershipStep(status([1, 2, 3], [], { 2: 10 }), [
      member(1, 'removed'),
      ...members(2, 3),
    ]);
    expect(step).toEqual({ kind: 'transfer', to: 3 });
  });

  it('waits while a joint configuration is in force', () => {
    const joint = status([1, 2, 3]);
    const s = { ...joint, confState: { ...joint.confState, votersOutgoing: ids([1, 2]) } } as RaftStatus;
    expect(nextControllerMembershipStep(s, members(1, 2, 3, 4))).toEqual({ kind: 'none' });
  });
});

describe('controllerSurvivesRemoval', () => {
  const alive = (down: readonly number[]) => (id: NodeId) => !down.includes(id);

  it('allows removing a voter when the rest keep a live majority', () => {
    expect(controllerSurvivesRemoval(ids([1, 2, 3, 4, 5]), [], 5 as NodeId, alive([4]))).toEqual({
      ok: true,
    });
    expect(controllerSurvivesRemoval(ids([1, 2, 3]), ids([4]), 4 as NodeId, alive([]))).toEqual({ ok: true });
  });

  it('refuses when the voters left would have no live majority, or none would be left', () => {
    const r = controllerSurvivesRemoval(ids([1, 2, 3]), [], 3 as NodeId, alive([2]));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.why).toMatch(/2 voters of which only 1 are live/);
    expect(controllerSurvivesRemoval(ids([1]), [], 1 as NodeId, alive([])).ok).toBe(false);
  });
});
