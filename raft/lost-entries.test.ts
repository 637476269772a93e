import { describe, expect, it } from 'vitest';
import { storageWith, TestNetwork } from './testing/index.js';

describe('a follower that lost acknowledged entries (wiped or damaged disk)', () => {
  it('tells the leader on the next heartbeat, which sends the entries again', () => {
    const net = new TestNetwork(
      new Map([
        [1, storageWith([1, 2, 3], [], { term: 1 })],
        [2, storageWith([1, 2, 3], [], { term: 1 })],
        [3, storageWith([1, 2, 3], [], { term: 1 })],
      ]),
    );
    net.campaign(1);
    for (let i = 0; i < 5; i++) net.propose(1, `v${i}`);
    net.settle();
    const before = net.status(1);
    expect(before.progress?.get(3 as never)?.match).toBe(before.lastIndex);

    // Node 3 comes back with an empty log, as the same member: the leader still believes it holds all.
    net.start(3, storageWith([1, 2, 3], []));
    net.tick(1, 10);
    net.settle();

    const responses = net.delivered.filter(
      (m) => m.type === 'heartbeat-response' && m.from === 3 && m.reject,
    );
    expect(responses.length).toBeGreaterThan(0);
    expect(net.logTerms(3)).toEqual(net.logTerms(1));
    expect(net.status(1).progress?.get(3 as never)?.match).toBe(net.status(1).lastIndex);
  });

  it('does not report a loss when it merely lags behind its leader', () => {
    const net = new TestNetwork(
      new Map([
        [1, storageWith([1, 2, 3], [], { term: 1 })],
        [2, storageWith([1, 2, 3], [], { term: 1 })],
        [3, storageWith([1, 2, 3], [], { term: 1 })],
      ]),
    );
    net.campaign(1);
    net.drop = (m) => m.to === 3 && m.type === 'append';
    for (let i = 0; i < 5; i++) net.propose(1, `v${i}`);
    net.tick(1, 10);
    net.settle();
    expect(net.delivered.some((m) => m.from === 3 && m.type === 'heartbeat-response' && m.reject)).toBe(
      false,
    );
  });
});
