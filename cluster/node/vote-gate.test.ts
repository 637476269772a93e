import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { GroupId, NodeId } from '../../lib/index.js';
import type { RaftGroup } from '../host/index.js';
import { VoteGate, type VoteGateContext } from './vote-gate.js';

const controller = 0 as GroupId;

/** A controller group whose follower log holds `commit` entries of the leader's term `term`. */
function fakeGroup(view: { commit: number; term: number; leader: number }): RaftGroup {
  return {
    status: () => ({ leader: view.leader, term: view.term, commit: view.commit }),
    storage: { term: () => view.term },
  } as unknown as RaftGroup;
}

/** A gate with a quiet context: each test names only what it looks at. */
function gateOf(active: boolean, ctx: Partial<VoteGateContext>): VoteGate {
  return new VoteGate(active, {
    nodeId: 1 as NodeId,
    controllerGroup: controller,
    group: () => undefined,
    controllerApplied: () => ({ appliedIndex: 0, nextGroupId: 1 }),
    assigned: () => [],
    caughtUpEverywhere: () => Promise.resolve(),
    logger: pino({ level: 'silent' }),
    ...ctx,
  });
}

describe('the vote gate of a node that lost its data', () => {
  it('releases a quiet controller group once its commit is applied, without a message of the group', () => {
    const applied = { appliedIndex: 9, nextGroupId: 4 };
    const group = fakeGroup({ commit: 10, term: 3, leader: 2 });
    const released: unknown[] = [];
    const logger = pino({ level: 'silent' });
    logger.info = (fields: unknown) => void released.push(fields);
    const gate = new VoteGate(true, {
      nodeId: 1 as NodeId,
      controllerGroup: controller,
      group: () => group,
      controllerApplied: () => applied,
      assigned: () => [],
      caughtUpEverywhere: () => Promise.resolve(),
      logger,
    });
    gate.recheck([controller]);
    expect(gate.mayCampaign(controller)).toBe(false);
    applied.appliedIndex = 10;
    gate.recheck([controller]);
    expect(released).toEqual([{ group: controller }]);
    const voteRequest = { groupId: controller, message: { type: 'vote' } };
    expect(gate.inbound([voteRequest] as never)).toHaveLength(1);
  });

  it('keeps a group gated while it knows no leader', () => {
    const gate = new VoteGate(true, {
      nodeId: 1 as NodeId,
      controllerGroup: controller,
      group: () => fakeGroup({ commit: 10, term: 3, leader: 0 }),
      controllerApplied: () => ({ appliedIndex: 10, nextGroupId: 4 }),
      assigned: () => [],
      caughtUpEverywhere: () => Promise.resolve(),
      logger: pino({ level: 'silent' }),
    });
    gate.recheck([controller]);
    expect(gate.mayCampaign(controller)).toBe(false);
  });
});

describe('the record that a rejoining node caught up', () => {
  it('is written once the controller and every assigned group it forgot have caught up, retried on failure', async () => {
    const views = new Map<number, { commit: number; term: number; leader: number }>([
      [0, { commit: 10, term: 3, leader: 2 }],
      [2, { commit: 5, term: 4, leader: 0 }],
    ]);
    const hosted = new Set([0]);
    const records: string[] = [];
    let failNext = true;
    const gate = new VoteGate(true, {
      nodeId: 1 as NodeId,
      controllerGroup: controller,
      group: (id) => (hosted.has(id) ? fakeGroup(views.get(id)!) : undefined),
      controllerApplied: () => ({ appliedIndex: 10, nextGroupId: 4 }),
      // Group 2 was created before the wipe; group 6 after the controller caught up (never voted in).
      assigned: () => [2, 6] as GroupId[],
      caughtUpEverywhere: () => {
        records.push('record');
        if (!failNext) return Promise.resolve();
        failNext = false;
        return Promise.reject(new Error('disk full'));
      },
      logger: pino({ level: 'silent' }),
    });
    gate.recheck([controller]);
    // The controller caught up, but group 2 is assigned here and not even created yet.
    expect(records).toEqual([]);
    hosted.add(2);
    gate.recheck([controller, 2 as GroupId]);
    expect(records).toEqual([]); // created, but it knows no leader yet
    views.set(2, { commit: 6, term: 5, leader: 2 });
    gate.recheck([controller, 2 as GroupId]);
    expect(records).toEqual(['record']);
    await Promise.resolve();
    gate.recheck([controller, 2 as GroupId]);
    expect(records).toEqual(['record', 'record']);
    await Promise.resolve();
    gate.recheck([controller, 2 as GroupId]);
    expect(records).toEqual(['record', 'record']);
  });

  it('shows the node rejoining, and its gated groups, until the catch-up is recorded', async () => {
    const views = new Map<number, { commit: number; term: number; leader: number }>([
      [0, { commit: 10, term: 3, leader: 2 }],
      [2, { commit: 5, term: 4, leader: 0 }],
    ]);
    let record: () => void = () => undefined;
    const gate = gateOf(true, {
      group: (id) => (views.has(id) ? fakeGroup(views.get(id)!) : undefined),
      controllerApplied: () => ({ appliedIndex: 9, nextGroupId: 4 }),
      // Group 3 is assigned but not created here yet: nothing to gate.
      assigned: () => [2, 3] as GroupId[],
      caughtUpEverywhere: () => new Promise<void>((resolve) => (record = resolve)),
    });
    expect(gate.state()).toEqual({ rejoining: true, gatedGroups: 2 });
    views.set(0, { commit: 9, term: 3, leader: 2 });
    views.set(2, { commit: 6, term: 4, leader: 2 });
    // A look releases nothing: the groups' own traffic or a recheck does.
    expect(gate.state()).toEqual({ rejoining: true, gatedGroups: 2 });
    views.set(3, { commit: 1, term: 1, leader: 2 });
    gate.recheck([controller, 2 as GroupId, 3 as GroupId]);
    expect(gate.state()).toEqual({ rejoining: true, gatedGroups: 0 });
    record();
    await Promise.resolve();
    await Promise.resolve();
    expect(gate.state()).toEqual({ rejoining: false, gatedGroups: 0 });
  });

  it('shows nothing held back on a node that lost nothing and joined nothing', () => {
    const gate = gateOf(false, {
      group: () => fakeGroup({ commit: 0, term: 1, leader: 0 }),
      assigned: () => [5] as GroupId[],
    });
    expect(gate.state()).toEqual({ rejoining: false, gatedGroups: 0 });
    gate.gateJoin(5 as GroupId);
    expect(gate.state()).toEqual({ rejoining: false, gatedGroups: 1 });
  });
});

describe('the vote gate of a group joined with an empty log', () => {
  it('asks for no vote in that group alone until a leader brought it up to date, then again on a re-join', () => {
    const partition = 7 as GroupId;
    const view = { commit: 0, term: 5, leader: 0 };
    const gate = new VoteGate(false, {
      nodeId: 1 as NodeId,
      controllerGroup: controller,
      group: () => fakeGroup(view),
      controllerApplied: () => ({ appliedIndex: 10, nextGroupId: 9 }),
      assigned: () => [],
      caughtUpEverywhere: () => Promise.resolve(),
      logger: pino({ level: 'silent' }),
    });
    const vote = (groupId: GroupId) => ({ groupId, message: { type: 'vote' } }) as never;
    expect(gate.outbound([vote(partition)])).toHaveLength(1);
    gate.gateJoin(partition);
    // Two joiners that both start from the group's first configuration must not elect each other.
    expect(gate.mayCampaign(partition)).toBe(false);
    expect(gate.outbound([vote(partition), vote(3 as GroupId)])).toEqual([vote(3 as GroupId)]);
    // It still votes: the group may need it for a quorum, and it lost no vote it gave.
    expect(gate.inbound([vote(partition)])).toHaveLength(1);
    Object.assign(view, { commit: 12, leader: 2 });
    expect(gate.mayCampaign(partition)).toBe(true);
    expect(gate.outbound([vote(partition)])).toHaveLength(1);
    gate.gateJoin(partition);
    Object.assign(view, { commit: 0, leader: 0 });
    expect(gate.mayCampaign(partition)).toBe(false);
  });
});
