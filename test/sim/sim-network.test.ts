import { describe, expect, it } from 'vitest';
import { Prng, logIndex, nodeId, term } from '../../lib/index.js';
import type { Message } from './raft-port.js';
import { SimNetwork, type NetworkQuality } from './sim-network.js';
import { SimStats } from './sim-stats.js';

const quality: NetworkQuality = {
  dropRate: 0,
  duplicateRate: 0,
  slowRate: 0,
  delayRoundsMax: 3,
  slowDelayRoundsMax: 3,
};

function message(from: number, to: number, index = 0): Message {
  return {
    type: 'heartbeat',
    from: nodeId(from),
    to: nodeId(to),
    term: term(1),
    logTerm: term(0),
    index: logIndex(index),
    entries: [],
    commit: logIndex(0),
    reject: false,
    rejectHint: logIndex(0),
  };
}

function drain(net: SimNetwork, rounds: number): Message[] {
  const out: Message[] = [];
  for (let r = 0; r <= rounds; r++) out.push(...net.takeDue(r));
  return out;
}

describe('SimNetwork', () => {
  it('delivers every message within the delay bound when nothing is wrong', () => {
    const net = new SimNetwork(new Prng(1), new SimStats(), quality);
    for (let i = 0; i < 50; i++) net.send(message(1, 2, i), 0);
    expect(net.takeDue(0)).toEqual([]);
    expect(drain(net, 3)).toHaveLength(50);
    expect(net.inFlight).toBe(0);
  });

  it('loses messages on a cut link, one direction only, and in flight when the cut comes later', () => {
    const stats = new SimStats();
    const net = new SimNetwork(new Prng(2), stats, quality);
    net.send(message(1, 2), 0);
    net.cut(1, 2);
    expect(net.send(message(1, 2), 0)).toBe(false);
    expect(net.send(message(2, 1), 0)).toBe(true);
    expect(drain(net, 3).map((m) => m.from)).toEqual([2]);
    expect(stats.get('messages lost to cut links')).toBe(2);
    net.healAll();
    expect(net.send(message(1, 2), 10)).toBe(true);
  });

  it('splits groups both ways', () => {
    const net = new SimNetwork(new Prng(3), new SimStats(), quality);
    net.split([1], [2, 3]);
    expect([net.isCut(1, 2), net.isCut(3, 1), net.isCut(2, 3)]).toEqual([true, true, false]);
  });

  it('duplicates, drops and reorders when told to', () => {
    const stats = new SimStats();
    const noisy = { ...quality, dropRate: 0.2, duplicateRate: 0.2, slowRate: 0.2, slowDelayRoundsMax: 30 };
    const net = new SimNetwork(new Prng(4), stats, noisy);
    for (let i = 0; i < 500; i++) net.send(message(1, 2, i), 0);
    const got = drain(net, 30).map((m) => m.index);
    expect(stats.get('messages dropped')).toBeGreaterThan(50);
    expect(stats.get('messages duplicated')).toBeGreaterThan(50);
    expect(new Set(got).size).toBeLessThan(got.length);
    expect(got.some((index, i) => i > 0 && index < got[i - 1]!)).toBe(true);
  });
});
