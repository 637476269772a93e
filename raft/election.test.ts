import { describe, expect, it } from 'vitest';
import type { LogIndex, NodeId, Term } from '../lib/index.js';
import type { Message } from './message.js';
import { storageWith, TestNetwork } from './testing/index.js';

const vote = (from: number, to: number, term: number, lastIndex: number, lastTerm: number): Message => ({
  type: 'vote',
  from: from as NodeId,
  to: to as NodeId,
  term: term as Term,
  logTerm: lastTerm as Term,
  index: lastIndex as LogIndex,
  entries: [],
  commit: 0 as LogIndex,
  reject: false,
  rejectHint: 0 as LogIndex,
});

describe('leader election', () => {
  it('elects one leader and makes the others follow its term', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    expect(net.status(1).role).toBe('leader');
    expect(net.status(2)).toMatchObject({ role: 'follower', term: 1, leader: 1 });
    expect(net.status(3)).toMatchObject({ role: 'follower', term: 1, leader: 1 });
  });

  it('elects a leader by timeout alone, with randomized timeouts in [E, 2E)', () => {
    const net = TestNetwork.of(5, { electionTimeoutTicks: 10 });
    net.tickAll(20);
    const leaders = [1, 2, 3, 4, 5].filter((id) => net.status(id).role === 'leader');
    expect(leaders).toHaveLength(1);
  });

  // Raft §5.4.1: grant iff (lastTerm, lastIndex) of the candidate >= the voter's.
  it.each([
    [[1], 1, 1, true],
    [[1], 2, 1, true],
    [[1, 1], 1, 1, false],
    [[1, 1], 1, 2, true],
    [[2], 2, 1, false],
  ])(
    'election restriction: voter log %j, candidate (index %i, term %i) → granted %s',
    (terms, index, lastTerm, granted) => {
      const net = new TestNetwork(new Map([[1, storageWith([1, 2], terms)]]));
      const voter = net.node(1).raw;
      voter.step(vote(2, 1, 5, index, lastTerm));
      const rd = voter.ready();
      const response = rd.messages.find((m) => m.type === 'vote-response');
      expect(response?.reject).toBe(!granted);
      if (granted) expect(rd.hardState?.vote).toBe(2);
    },
  );

  it('grants one vote per term only', () => {
    const net = new TestNetwork(new Map([[1, storageWith([1, 2, 3])]]));
    const voter = net.node(1).raw;
    voter.step(vote(2, 1, 1, 0, 0));
    voter.step(vote(3, 1, 1, 0, 0));
    const responses = voter.ready().messages.filter((m) => m.type === 'vote-response');
    expect(responses.map((m) => [m.to, m.reject])).toEqual([
      [2, false],
      [3, true],
    ]);
  });

  it('dueling candidates: the one with the stale log cannot win (R3)', () => {
    const net = TestNetwork.of(3);
    net.cutLink(1, 3);
    net.cutLink(2, 3);
    net.campaign(1);
    expect(net.status(1).role).toBe('leader');
    net.campaign(3);
    expect(net.status(3).role).toBe('candidate');
    net.heal();
    net.campaign(3);
    // n3's log is behind: both refuse it, and everyone ends as a follower of term 2.
    expect(
      [1, 2, 3].map((id) => [net.status(id).role, net.status(id).term, net.status(id).lastIndex]),
    ).toEqual([
      ['follower', 2, 1],
      ['follower', 2, 1],
      ['follower', 2, 0],
    ]);
  });

  it('overwrites newer uncommitted entries when a leader with an older term entry wins (R4)', () => {
    const storages = new Map([
      [1, storageWith([1, 2, 3, 4, 5], [1], { term: 1 })],
      [2, storageWith([1, 2, 3, 4, 5], [1], { term: 1 })],
      [3, storageWith([1, 2, 3, 4, 5], [2], { term: 2 })],
      [4, storageWith([1, 2, 3, 4, 5], [], { term: 2, vote: 3 })],
      [5, storageWith([1, 2, 3, 4, 5], [], { term: 2, vote: 3 })],
    ]);
    const net = new TestNetwork(storages);
    net.campaign(1);
    expect(net.status(1)).toMatchObject({ role: 'follower', term: 2 });
    net.campaign(1);
    expect(net.status(1)).toMatchObject({ role: 'leader', term: 3 });
    for (const id of [1, 2, 3, 4, 5]) expect(net.logTerms(id)).toEqual([1, 3]);
  });

  it('ignores messages of a stale term and answers them with the newer term (R8)', () => {
    const net = new TestNetwork(new Map([[2, storageWith([1, 2, 3], [1, 2, 3], { term: 3 })]]), {
      checkQuorum: true,
    });
    const node = net.node(2).raw;
    node.step({ ...vote(1, 2, 2, 3, 3), type: 'append', entries: [], commit: 3 as LogIndex });
    expect(node.status()).toMatchObject({ term: 3, commit: 0, lastIndex: 3 });
    const reply = node.ready().messages.find((m) => m.to === 1);
    expect(reply).toMatchObject({ type: 'append-response', term: 3 });
  });

  it('follows any message of a higher term', () => {
    const net = new TestNetwork(new Map([[2, storageWith([1, 2, 3], [1], { term: 1 })]]));
    net.node(2).raw.step({ ...vote(1, 2, 7, 1, 1), type: 'heartbeat' });
    expect(net.status(2)).toMatchObject({ role: 'follower', term: 7, leader: 1 });
  });
});

describe('fast failover after a refused connection', () => {
  it('a follower that forgot its dead leader grants a pre-vote despite check-quorum stickiness', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, preVote: true });
    net.campaign(1);
    net.isolate(1);
    net.campaign(2);
    expect(net.status(2).role).not.toBe('leader');
    net.node(3).raw.forgetLeader();
    net.campaign(2);
    expect(net.status(2)).toMatchObject({ role: 'leader', term: 2 });
  });

  it('forgetting the leader changes nothing for a leader or a candidate', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, preVote: true });
    net.campaign(1);
    net.node(1).raw.forgetLeader();
    expect(net.status(1)).toMatchObject({ role: 'leader', leader: 1 });
  });
});

describe('resuming after quiescence', () => {
  // The leader last heard from its followers E-1 ticks ago, then it stopped ticking (dropped
  // replies stand in for the pause); its first tick back would find the quorum silent for E ticks.
  const pausedRightAfterACheck = (): TestNetwork => {
    const net = TestNetwork.of(3, { checkQuorum: true, preVote: true, electionTimeoutTicks: 10 });
    net.campaign(1);
    net.isolate(1);
    net.tick(1, 9);
    net.heal();
    return net;
  };

  it('a resumed leader does not mistake the pause for lost followers', () => {
    const net = pausedRightAfterACheck();
    net.node(1).raw.resumeAfterQuiescence();
    net.tick(1, 1);
    expect(net.status(1).role).toBe('leader');
  });

  it('without the reset the same pause costs the leadership (the check is real)', () => {
    const net = pausedRightAfterACheck();
    net.tick(1, 1);
    expect(net.status(1).role).not.toBe('leader');
  });
});
