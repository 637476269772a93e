import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../../lib/index.js';
import type { ProgressState, RaftStatus } from '../../raft/index.js';
import { mayQuiesce } from './quiescence.js';

function status(role: RaftStatus['role'], over: Partial<RaftStatus> = {}, match = 10): RaftStatus {
  const progress = new Map<NodeId, { match: number; next: number; state: ProgressState }>();
  for (const id of [1, 2, 3]) progress.set(id as NodeId, { match, next: match + 1, state: 'replicate' });
  return {
    id: 1 as NodeId,
    term: 3 as Term,
    vote: 1 as NodeId,
    role,
    leader: (role === 'leader' ? 1 : 2) as NodeId,
    commit: 10 as LogIndex,
    applied: 10 as LogIndex,
    lastIndex: 10 as LogIndex,
    confState: {
      voters: [1, 2, 3] as NodeId[],
      votersOutgoing: [],
      learners: [],
      learnersNext: [],
      autoLeave: false,
    },
    ...(role === 'leader' ? { progress } : {}),
    ...over,
  };
}

const everyoneAlive = (): boolean => true;

describe('quiescing settled groups', () => {
  it('a leader quiesces once every voter has every entry and it has been idle long enough', () => {
    expect(mayQuiesce(status('leader'), 5, 5, everyoneAlive)).toBe(true);
    expect(mayQuiesce(status('leader'), 4, 5, everyoneAlive)).toBe(false);
    expect(mayQuiesce(status('leader', {}, 9), 5, 5, everyoneAlive)).toBe(false);
  });

  it('never with uncommitted or unapplied entries, a joint configuration or learners', () => {
    expect(mayQuiesce(status('leader', { commit: 9 as LogIndex }), 9, 5, everyoneAlive)).toBe(false);
    expect(mayQuiesce(status('follower', { applied: 9 as LogIndex }), 9, 5, everyoneAlive)).toBe(false);
    const joint = {
      voters: [1, 2] as NodeId[],
      votersOutgoing: [1, 2, 3] as NodeId[],
      learners: [],
      learnersNext: [],
      autoLeave: true,
    };
    expect(mayQuiesce(status('leader', { confState: joint }), 9, 5, everyoneAlive)).toBe(false);
  });

  // Seed 5020 of the whole-node simulation: a leader quiesced with a transfer pending whose TimeoutNow
  // was lost, and dropped every proposal for good (only a tick aborts a transfer).
  // Seed 7189 of the whole-node simulation (and 16 more of 10,000): node 3 removed itself from the
  // partition and stepped down; node 1 still named it leader, stayed quiet while node 3 lived, and the
  // partition had no leader for good.
  it('a follower keeps ticking once the node it calls leader is no longer a voter', () => {
    const removed = { ...status('follower').confState, voters: [1, 2] as NodeId[] };
    expect(
      mayQuiesce(status('follower', { leader: 3 as NodeId, confState: removed }), 9, 5, everyoneAlive),
    ).toBe(false);
  });

  it('a follower another voter asked for a vote keeps ticking until it hears its leader again', () => {
    expect(mayQuiesce(status('follower'), 9, 5, everyoneAlive, true)).toBe(false);
    expect(mayQuiesce(status('follower'), 9, 5, everyoneAlive, false)).toBe(true);
  });

  it('a leader handing leadership over keeps ticking', () => {
    expect(mayQuiesce(status('leader', { leadTransferee: 3 as NodeId }), 5, 5, everyoneAlive)).toBe(false);
  });

  it('a follower keeps ticking while its leader node is not alive, or when it knows no leader', () => {
    expect(mayQuiesce(status('follower'), 9, 5, everyoneAlive)).toBe(true);
    expect(mayQuiesce(status('follower'), 9, 5, (id) => id !== 2)).toBe(false);
    expect(mayQuiesce(status('follower', { leader: 0 }), 9, 5, everyoneAlive)).toBe(false);
    expect(mayQuiesce(status('pre-candidate'), 9, 5, everyoneAlive)).toBe(false);
  });

  it('a leader keeps heartbeating when a voter is not alive', () => {
    expect(mayQuiesce(status('leader'), 9, 5, (id) => id !== 3)).toBe(false);
  });
});
