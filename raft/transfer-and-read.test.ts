import { describe, expect, it } from 'vitest';
import type { NodeId } from '../lib/index.js';
import { TestNetwork } from './testing/index.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe('leadership transfer (R11)', () => {
  it('hands leadership to an up-to-date follower', () => {
    const net = TestNetwork.of(3, { checkQuorum: true, preVote: true });
    net.campaign(1);
    net.node(1).raw.transferLeader(2 as NodeId);
    net.settle();
    expect(net.status(2).role).toBe('leader');
    expect(net.status(1)).toMatchObject({ role: 'follower', leader: 2 });
  });

  it('catches a lagging follower up first', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.propose(1, `e${i}`);
    net.heal();
    net.node(1).raw.transferLeader(3 as NodeId);
    net.settle();
    net.tickAll(2);
    expect(net.status(3).role).toBe('leader');
    expect(net.status(3).lastIndex).toBeGreaterThanOrEqual(6);
  });

  it('gives up on an isolated target after an election timeout, and drops proposals meanwhile', () => {
    const net = TestNetwork.of(3, { electionTimeoutTicks: 10 });
    net.campaign(1);
    net.isolate(3);
    net.propose(1, 'ahead');
    net.node(1).raw.transferLeader(3 as NodeId);
    expect(() => net.propose(1, 'during')).toThrow(expect.objectContaining({ code: 'PROPOSAL_DROPPED' }));
    net.tick(1, 10);
    expect(net.status(1).role).toBe('leader');
    expect(() => net.propose(1, 'after')).not.toThrow();
  });

  it('ignores a transfer to itself or to a non-member', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.node(1).raw.transferLeader(1 as NodeId);
    net.node(1).raw.transferLeader(9 as NodeId);
    expect(() => net.propose(1, 'still')).not.toThrow();
    expect(net.status(1).role).toBe('leader');
  });
});

describe('ReadIndex (R12)', () => {
  it('a new leader answers no read until it committed an entry of its term', () => {
    const net = TestNetwork.of(3);
    net.drop = (m) => m.type === 'append-response';
    net.campaign(1);
    const raw = net.node(1).raw;
    raw.readIndex(new TextEncoder().encode('r1'));
    net.settle();
    expect(net.delivered.length).toBeGreaterThan(0);
    expect(raw.hasReady() ? raw.ready().readStates : []).toEqual([]);
    net.drop = () => false;
    let reads: { index: number; context: string }[] = [];
    const original = net.processReady.bind(net);
    net.processReady = (id, n) => {
      if (id === 1) {
        const rd = n.raw.ready();
        reads.push(...rd.readStates.map((r) => ({ index: r.index, context: text(r.context) })));
        if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
        n.storage.append(rd.entries);
        if (rd.hardState) n.storage.setHardState(rd.hardState);
        (net as unknown as { queue: unknown[] }).queue.push(...rd.messages);
        n.raw.advance();
        return true;
      }
      return original(id, n);
    };
    net.tickAll(3);
    expect(reads).toEqual([{ index: 1, context: 'r1' }]);
    reads = [];
  });

  it('a follower forwards the read and gets the leader commit index after a quorum heartbeat', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.propose(1, 'a');
    const follower = net.node(2).raw;
    follower.readIndex(new TextEncoder().encode('f1'));
    const seen: string[] = [];
    const original = net.processReady.bind(net);
    net.processReady = (id, n) => {
      if (id === 2) {
        const rd = n.raw.ready();
        for (const r of rd.readStates) seen.push(`${r.index}:${text(r.context)}`);
        n.storage.append(rd.entries);
        if (rd.hardState) n.storage.setHardState(rd.hardState);
        (net as unknown as { queue: unknown[] }).queue.push(...rd.messages);
        n.raw.advance();
        return true;
      }
      return original(id, n);
    };
    net.settle();
    expect(seen).toEqual(['2:f1']);
    expect(net.delivered.some((m) => m.type === 'heartbeat' && m.context !== undefined)).toBe(true);
  });
});
