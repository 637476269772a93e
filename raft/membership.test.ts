import { describe, expect, it } from 'vitest';
import type { NodeId } from '../lib/index.js';
import type { ConfChange } from './conf-change.js';
import { decodeConfChange, encodeConfChange } from './conf-change.js';
import { MemoryRaftStorage } from './memory-raft-storage.js';
import { storageWith, TestNetwork } from './testing/index.js';

const add = (nodeId: number, type: 'add-voter' | 'add-learner' = 'add-voter'): ConfChange => ({
  changes: [{ type, nodeId: nodeId as NodeId }],
  transition: 'auto',
});

/** A new node starts from the cluster's initial configuration, as a snapshot would give it. */
function addEmptyNode(net: TestNetwork, id: number, initialVoters: number[]): void {
  net.start(id, storageWith(initialVoters));
}

describe('membership changes', () => {
  it('round-trips the conf change codec and rejects garbage', () => {
    const cc: ConfChange = {
      changes: [
        { type: 'add-voter', nodeId: 4 as NodeId },
        { type: 'remove-node', nodeId: 1 as NodeId },
      ],
      transition: 'explicit',
    };
    expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
    expect(() => decodeConfChange(new Uint8Array([9, 9]))).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });

  it('gives a node with no configuration a snapshot, never entries from index 1 replayed onto nothing', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.propose(1, 'a');
    net.start(4, new MemoryRaftStorage());
    net.node(1).raw.proposeConfChange(add(4, 'add-learner'));
    net.settle();
    net.node(1).raw.proposeConfChange(add(4));
    net.settle();
    net.tickAll(3);
    // Replayed onto nothing, "add voter 4" would leave node 4 the only voter of its own group.
    expect(net.status(4).lastIndex).toBe(0);
    expect(net.status(4).confState.voters).toEqual([]);
    expect(net.status(1).progress?.get(4 as NodeId)?.wantsSnapshot).toBe(true);
    expect(net.node(1).raw.takeSnapshotWish()).toBe(true);
    expect(net.node(1).raw.takeSnapshotWish()).toBe(false);
    const refusals = net.delivered.filter((m) => m.type === 'append-response' && m.from === 4 && m.reject);
    // One per append or heartbeat the leader sends, not a storm of resends (settle runs 1,000 rounds).
    expect(refusals.length).toBeLessThanOrEqual(10);
    const { storage, raw } = net.node(1);
    storage.createSnapshot(raw.status().applied, raw.status().confState, new Uint8Array([1]));
    storage.compact(raw.status().applied);
    net.tickAll(3);
    expect(net.status(4).confState.voters).toEqual([1, 2, 3, 4]);
    expect(net.status(1).progress?.get(4 as NodeId)?.wantsSnapshot).toBe(false);
  });

  it('allows one pending configuration change at a time (R10a)', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net.drop = (m) => m.type === 'append-response';
    net.node(1).raw.proposeConfChange(add(4, 'add-learner'));
    expect(() => net.node(1).raw.proposeConfChange(add(5, 'add-learner'))).toThrow(
      expect.objectContaining({ code: 'PROPOSAL_DROPPED' }),
    );
  });

  it('a learner replicates but never counts toward the quorum (R10f)', () => {
    const net = TestNetwork.of(1);
    addEmptyNode(net, 2, [1]);
    net.campaign(1);
    net.node(1).raw.proposeConfChange(add(2, 'add-learner'));
    net.settle();
    net.tickAll(2);
    expect(net.status(1).confState.learners).toEqual([2]);
    net.propose(1, 'v');
    net.tickAll(2);
    expect(net.status(2).lastIndex).toBe(net.status(1).lastIndex);
    // A learner's ack is not needed: with n2 cut off the single voter still commits.
    net.isolate(2);
    const at = net.propose(1, 'w');
    expect(net.status(1).commit).toBe(at.index);
    // And it never campaigns.
    net.tick(2, 50);
    expect(net.status(2).role).toBe('follower');
  });

  it('adds two voters through a joint configuration that needs both majorities (R10d)', () => {
    const net = TestNetwork.of(1);
    addEmptyNode(net, 2, [1]);
    addEmptyNode(net, 3, [1]);
    net.campaign(1);
    net.node(1).raw.proposeConfChange({
      changes: [
        { type: 'add-voter', nodeId: 2 as NodeId },
        { type: 'add-voter', nodeId: 3 as NodeId },
      ],
      transition: 'explicit',
    });
    net.settle();
    net.tickAll(3);
    const joint = net.status(1).confState;
    expect([...joint.voters].sort()).toEqual([1, 2, 3]);
    expect(joint.votersOutgoing).toEqual([1]);
    // While joint, the new majority {1,2,3} is needed too: with n2 and n3 cut off nothing commits.
    net.isolate(1);
    const at = net.propose(1, 'blocked');
    expect(net.status(1).commit).toBeLessThan(at.index);
    net.heal();
    net.tickAll(2);
    expect(net.status(1).commit).toBe(at.index);
    net.node(1).raw.proposeConfChange({ changes: [], transition: 'explicit' });
    net.settle();
    net.tickAll(2);
    expect(net.status(1).confState.votersOutgoing).toEqual([]);
    expect(net.status(3).confState.voters).toEqual(expect.arrayContaining([1, 2, 3]));
  });

  it('leaves an automatic joint configuration by itself', () => {
    const net = TestNetwork.of(3);
    addEmptyNode(net, 4, [1, 2, 3]);
    net.campaign(1);
    net.node(1).raw.proposeConfChange({
      changes: [
        { type: 'add-voter', nodeId: 4 as NodeId },
        { type: 'remove-node', nodeId: 3 as NodeId },
      ],
      transition: 'auto',
    });
    net.settle();
    net.tickAll(3);
    expect(net.status(1).confState).toMatchObject({ votersOutgoing: [] });
    expect([...net.status(1).confState.voters].sort()).toEqual([1, 2, 4]);
  });

  it('after removing a node a smaller quorum commits (R10b)', () => {
    const net = TestNetwork.of(2);
    net.campaign(1);
    net
      .node(1)
      .raw.proposeConfChange({ changes: [{ type: 'remove-node', nodeId: 2 as NodeId }], transition: 'auto' });
    net.settle();
    net.isolate(2);
    const at = net.propose(1, 'alone');
    expect(net.status(1).commit).toBe(at.index);
  });

  it('a leader that removes itself steps down and cannot campaign (R10c, R10e)', () => {
    const net = TestNetwork.of(3);
    net.campaign(1);
    net
      .node(1)
      .raw.proposeConfChange({ changes: [{ type: 'remove-node', nodeId: 1 as NodeId }], transition: 'auto' });
    net.settle();
    expect(net.status(1).role).toBe('follower');
    net.tick(1, 50);
    expect(net.status(1).role).toBe('follower');
    net.tickAll(30);
    expect([2, 3].filter((id) => net.status(id).role === 'leader')).toHaveLength(1);
  });

  it('leaves an automatic joint configuration once a leadership transfer that held it back is over', () => {
    const net = TestNetwork.of(3, { electionTimeoutTicks: 10 });
    addEmptyNode(net, 4, [1, 2, 3]);
    net.campaign(1);
    net.drop = (m) => m.type === 'append-response';
    net.node(1).raw.proposeConfChange({
      changes: [
        { type: 'add-voter', nodeId: 4 as NodeId },
        { type: 'remove-node', nodeId: 3 as NodeId },
      ],
      transition: 'auto',
    });
    net.settle();
    net.isolate(3);
    net.node(1).raw.transferLeader(3 as NodeId);
    net.drop = () => false;
    net.tick(1, 1);
    expect(net.status(1).confState.votersOutgoing).not.toEqual([]);
    net.tick(1, 12);
    expect(net.status(1)).toMatchObject({ role: 'leader' });
    expect(net.status(1).confState.votersOutgoing).toEqual([]);
    expect([...net.status(1).confState.voters].sort()).toEqual([1, 2, 4]);
  });
});
