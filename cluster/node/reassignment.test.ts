import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../../lib/index.js';
import type { ProgressState, RaftStatus } from '../../raft/index.js';
import { nextReassignmentStep } from './reassignment.js';

const n = (...ids: number[]): NodeId[] => ids as NodeId[];

function status(
  voters: number[],
  learners: number[],
  match: Record<number, number>,
  opts: { id?: number; outgoing?: number[] } = {},
): RaftStatus {
  const progress = new Map<NodeId, { match: number; next: number; state: ProgressState }>();
  for (const [id, m] of Object.entries(match))
    progress.set(Number(id) as NodeId, { match: m, next: m + 1, state: 'replicate' });
  return {
    id: (opts.id ?? 1) as NodeId,
    term: 2 as Term,
    vote: 1 as NodeId,
    role: 'leader',
    leader: (opts.id ?? 1) as NodeId,
    commit: 1000 as LogIndex,
    applied: 1000 as LogIndex,
    lastIndex: 1000 as LogIndex,
    confState: {
      voters: n(...voters),
      votersOutgoing: n(...(opts.outgoing ?? [])),
      learners: n(...learners),
      learnersNext: [],
      autoLeave: true,
    },
    progress,
  };
}

describe('replica reassignment steps', () => {
  it('adds a new replica as a learner first', () => {
    const step = nextReassignmentStep(status([1, 2, 3], [], { 1: 1000, 2: 1000, 3: 1000 }), n(1, 2, 3, 4));
    expect(step).toEqual({
      kind: 'add-learners',
      change: { changes: [{ type: 'add-learner', nodeId: 4 }], transition: 'auto' },
    });
  });

  it('waits while the learner lags, then promotes it', () => {
    const target = n(1, 2, 3, 4);
    expect(nextReassignmentStep(status([1, 2, 3], [4], { 1: 1000, 4: 10 }), target)).toEqual({
      kind: 'wait',
    });
    const step = nextReassignmentStep(status([1, 2, 3], [4], { 1: 1000, 4: 990 }), target);
    expect(step).toMatchObject({ kind: 'promote', change: { changes: [{ type: 'add-voter', nodeId: 4 }] } });
  });

  it('drops a removed voter in the same joint change that promotes', () => {
    const step = nextReassignmentStep(status([1, 2, 3], [4], { 1: 1000, 3: 1000, 4: 1000 }), n(1, 2, 4));
    expect(step).toMatchObject({
      kind: 'promote',
      change: {
        changes: [
          { type: 'add-voter', nodeId: 4 },
          { type: 'remove-node', nodeId: 3 },
        ],
      },
    });
  });

  it('a leader that is leaving hands leadership to a caught-up target voter first', () => {
    const step = nextReassignmentStep(status([1, 2, 3], [], { 1: 1000, 2: 1000, 3: 1000 }), n(2, 3));
    expect(step).toEqual({ kind: 'transfer', to: 2 });
  });

  it('waits in a joint configuration and reports once voters equal the target', () => {
    expect(nextReassignmentStep(status([1, 2, 4], [], {}, { outgoing: [1, 2, 3] }), n(1, 2, 4))).toEqual({
      kind: 'wait',
    });
    expect(nextReassignmentStep(status([1, 2, 4], [], {}), n(1, 2, 4))).toEqual({
      kind: 'complete',
      replicas: n(1, 2, 4),
    });
  });
});
