import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../lib/index.js';
import { storageWith, TestNetwork } from './testing/index.js';

describe('pre-vote, check-quorum and stickiness', () => {
  function rejoin(preVote: boolean) {
    const net = TestNetwork.of(3, { preVote, checkQuorum: true });
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 3; i++) net.propose(1, `e${i}`);
    // n3 times out alone (only n3 ticks, so the leader stays live for n2).
    net.tick(3, 25);
    net.heal();
    net.tickAll(3);
    return net;
  }

  it('without pre-vote a rejoining node disrupts the leader with its inflated term (R5)', () => {
    const net = rejoin(false);
    expect(net.status(3).term).toBeGreaterThan(1);
    expect(net.status(1).term).toBeGreaterThan(1);
  });

  it('with pre-vote a rejoining node changes no term and the leader keeps leading (R5)', () => {
    const net = rejoin(true);
    expect([1, 2, 3].map((id) => net.status(id).term)).toEqual([1, 1, 1]);
    expect(net.status(1).role).toBe('leader');
    expect(net.status(3)).toMatchObject({ role: 'follower', leader: 1, lastIndex: 4 });
  });

  it('a leader that hears from no quorum for a whole election timeout steps down (R6)', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, electionTimeoutTicks: 5 });
    net.campaign(1);
    net.isolate(1);
    // The followers last answered the election's appends: the leader steps down exactly E ticks
    // later, not at the end of a check window that may reach 2E.
    net.tick(1, 4);
    expect(net.status(1).role).toBe('leader');
    net.tick(1, 1);
    expect(net.status(1).role).toBe('follower');
    expect(() => net.propose(1)).toThrow(expect.objectContaining({ code: 'NOT_LEADER' }));
  });

  it('a cut-off leader that keeps taking proposals still steps down E ticks after its quorum went quiet', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, electionTimeoutTicks: 10 });
    net.campaign(1);
    net.tickAll(3);
    net.isolate(1);
    for (let t = 0; t < 9; t++) {
      net.propose(1, `w${t}`);
      net.tick(1, 1);
    }
    expect(net.status(1).role).toBe('leader');
    net.propose(1, 'last');
    net.tick(1, 1);
    expect(net.status(1)).toMatchObject({ role: 'follower', leader: 0 });
    // Meanwhile the others elect a new leader; the old one learns of it when the cut heals.
    net.tick(2, 30);
    net.heal();
    net.tickAll(3);
    expect(net.status(1).role).toBe('follower');
    expect(net.status(1).leader).not.toBe(1);
  });

  it('a deposed leader whose followers still trust it can win again (quiesced followers never time out)', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, preVote: true, electionTimeoutTicks: 10 });
    net.campaign(1);
    net.tickAll(2);
    // Only the leader ticks (its followers are quiesced): cut off, it steps down; nobody else moves.
    net.isolate(1);
    net.tick(1, 10);
    expect(net.status(1)).toMatchObject({ role: 'follower', leader: 0 });
    expect(net.status(2).leader).toBe(1);
    net.heal();
    // Its own campaign is the proof that the lease of the leader they follow is over.
    net.campaign(1);
    expect(net.status(1)).toMatchObject({ role: 'leader', term: 2 });
  });

  it('a leader that hears from a quorum every tick stays leader (R6)', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, electionTimeoutTicks: 5 });
    net.campaign(1);
    net.tick(1, 20);
    expect(net.status(1).role).toBe('leader');
  });

  it('followers that heard from a live leader refuse a disruptive candidate (stickiness, R7)', () => {
    const net = TestNetwork.of(3, { checkQuorum: true });
    net.campaign(1);
    net.campaign(3);
    expect(net.status(1)).toMatchObject({ role: 'leader', term: 1 });
    expect(net.status(3).role).not.toBe('leader');
    // Once n2 has not heard from the leader for an election timeout, n3 can win.
    net.isolate(1);
    net.tick(2, 10);
    net.campaign(3);
    expect(net.status(3).role).toBe('leader');
  });

  it('frees a stuck candidate whose term ran ahead (R7)', () => {
    const net = TestNetwork.of(3, { checkQuorum: true });
    net.campaign(1);
    net.isolate(3);
    net.campaign(3);
    net.campaign(3);
    expect(net.status(3)).toMatchObject({ role: 'candidate', term: 3 });
    net.heal();
    // The leader's heartbeat of term 1 reaches n3, whose answer carries term 3: the leader steps down.
    net.tick(1, 1);
    expect(net.status(1).term).toBe(3);
    expect(net.status(1).role).toBe('follower');
    net.tickAll(40);
    const leaders = [1, 2, 3].filter((id) => net.status(id).role === 'leader');
    expect(leaders).toHaveLength(1);
  });

  it('a refused higher-term vote does not restart the election timer (a stale candidate cannot hold others off)', () => {
    const net = new TestNetwork(
      new Map([
        [1, storageWith([1, 2, 3], [1, 1], { term: 1 })],
        [2, storageWith([1, 2, 3], [1], { term: 1 })],
      ]),
      { electionTimeoutTicks: 10 },
    );
    net.drop = () => true;
    net.tick(1, 9);
    // n2's log is behind n1's: n1 moves to term 5 but refuses, and keeps its clock running.
    net.node(1).raw.step({
      type: 'vote',
      from: 2 as NodeId,
      to: 1 as NodeId,
      term: 5 as Term,
      logTerm: 1 as Term,
      index: 1 as LogIndex,
      entries: [],
      commit: 0 as LogIndex,
      reject: false,
      rejectHint: 0 as LogIndex,
    });
    expect(net.status(1)).toMatchObject({ term: 5, role: 'follower' });
    net.tick(1, 10);
    expect(net.status(1).role).toBe('candidate');
    expect(net.status(1).term).toBe(6);
  });
});
