import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../lib/index.js';
import { logIndexMax, termJumpMax } from './message-bounds.js';
import { makeMessage, type Message } from './message.js';
import { TestNetwork } from './testing/index.js';

const heartbeat = (term: number, commit = 0): Message =>
  makeMessage({
    type: 'heartbeat',
    from: 1 as NodeId,
    to: 2 as NodeId,
    term: term as Term,
    commit: commit as LogIndex,
  });

describe('implausible peer messages', () => {
  it.each([
    ['term 2^53-1', heartbeat(Number.MAX_SAFE_INTEGER)],
    ['a term jump past the bound', heartbeat(1 + termJumpMax + 1)],
    ['a commit index past the bound', heartbeat(1, logIndexMax + 1)],
    ['a vote with an impossible log term', { ...heartbeat(2), type: 'vote', logTerm: 2 ** 41 } as Message],
  ])('refuses %s without changing the follower, which keeps its leader', (_, message) => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    expect(net.status(2)).toMatchObject({ role: 'follower', term: 1, leader: 1 });
    expect(() => net.node(2).raw.step(message)).toThrow(/INVALID_ARGUMENT|refused a/);
    expect(net.status(2)).toMatchObject({ role: 'follower', term: 1, leader: 1 });
    net.propose(1, 'after');
    net.settle();
    expect(net.status(2).commit).toBe(net.status(1).commit);
  });

  it('still follows a real term change of any plausible size', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.node(2).raw.step(heartbeat(1 + termJumpMax));
    expect(net.status(2)).toMatchObject({ term: 1 + termJumpMax });
  });
});
