import { describe, expect, it } from 'vitest';
import pino from 'pino';
import {
  applyControllerCommand,
  initialControllerState,
  type ControllerCommand,
  type ControllerState,
  type GroupCommand,
} from '../controller/index.js';
import { GroupCoordinator } from './group-coordinator.js';

/** A controller state machine and a clock driven by hand: the coordinator's whole world. */
class World {
  state: ControllerState = initialControllerState();
  nowMs = 0;
  term: number | undefined = 1;
  readonly coordinator = new GroupCoordinator({
    now: () => this.nowMs,
    leaderTerm: () => this.term,
    state: () => this.state,
    expire: (groupId, memberId) => {
      this.apply({ type: 'group', command: { op: 'expire-member', groupId, memberId } });
      return Promise.resolve();
    },
    logger: pino({ level: 'silent' }),
  });

  constructor() {
    this.apply({ type: 'register-node', nodeId: 1, address: 'a:1' });
    this.apply({ type: 'create-topic', name: 't', partitions: 4, replicationFactor: 1, config: {} });
  }

  apply(command: ControllerCommand): unknown {
    const out = applyControllerCommand(this.state, command, {
      index: this.state.appliedIndex + 1,
      timestampMs: this.nowMs,
    });
    this.state = out.state;
    if (!out.result.ok) throw new Error(out.result.message);
    return out.result.output;
  }

  join(sessionTimeoutMs: number, rebalanceTimeoutMs = 0): string {
    const command: GroupCommand = {
      op: 'join',
      groupId: 'g',
      memberId: '',
      instanceId: '',
      clientId: 'c',
      clientHost: '',
      topics: ['t'],
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      assignor: 'sticky',
    };
    const out = this.apply({ type: 'group', command }) as { output: { memberId: string } };
    this.coordinator.touch('g', out.output.memberId);
    return out.output.memberId;
  }

  /** SyncGroup claiming everything the member may have; returns what it owns afterwards. */
  syncAll(memberId: string): number {
    const group = this.state.groups.get('g')!;
    const owned = [0, 1, 2, 3].map((partition) => ({ topic: 't', partition }));
    this.apply({
      type: 'group',
      command: { op: 'sync', groupId: 'g', generationId: group.generation, memberId, owned },
    });
    this.coordinator.touch('g', memberId);
    return this.state.groups.get('g')!.members.get(memberId)!.owned.length;
  }

  members(): string[] {
    return [...(this.state.groups.get('g')?.members.keys() ?? [])];
  }

  beat(memberId: string): string {
    try {
      this.coordinator.heartbeat('g', this.state.groups.get('g')?.generation ?? 0, memberId);
      return 'OK';
    } catch (error) {
      return (error as { code: string }).code;
    }
  }
}

describe('group coordinator', () => {
  it('expires a member silent for its session timeout, and only that member', async () => {
    const w = new World();
    const quiet = w.join(3_000);
    const chatty = w.join(3_000);
    for (let t = 500; t <= 3_500; t += 500) {
      w.nowMs = t;
      w.beat(chatty);
      await w.coordinator.expireSessions();
    }
    expect(w.members()).toEqual([chatty]);
    expect(w.beat(quiet)).toBe('UNKNOWN_MEMBER_ID');
    expect(w.beat(chatty)).toBe('REBALANCE_IN_PROGRESS');
  });

  it('a heartbeat answered REBALANCE_IN_PROGRESS still keeps the member alive', async () => {
    const w = new World();
    const a = w.join(2_000);
    for (let t = 1_000; t <= 6_000; t += 1_000) {
      w.nowMs = t;
      expect(w.beat(a)).toBe('REBALANCE_IN_PROGRESS');
      await w.coordinator.expireSessions();
    }
    expect(w.members()).toEqual([a]);
  });

  it('expires a member that heartbeats but does not release a moved partition within its rebalance timeout', async () => {
    const w = new World();
    const holder = w.join(10_000, 3_000);
    expect(w.syncAll(holder)).toBe(4);
    w.nowMs = 1_000;
    const newcomer = w.join(10_000, 3_000);
    await w.coordinator.expireSessions();
    for (let t = 1_500; t <= 4_500; t += 500) {
      w.nowMs = t;
      expect(w.beat(holder)).toBe('REBALANCE_IN_PROGRESS');
      w.beat(newcomer);
      await w.coordinator.expireSessions();
    }
    expect(w.members()).toEqual([newcomer]);
  });

  it('keeps a member that releases what moved within its rebalance timeout', async () => {
    const w = new World();
    const holder = w.join(10_000, 3_000);
    w.syncAll(holder);
    w.nowMs = 1_000;
    const newcomer = w.join(10_000, 3_000);
    await w.coordinator.expireSessions();
    w.nowMs = 3_000;
    const target = w.state.groups.get('g')!.members.get(holder)!.target;
    w.apply({
      type: 'group',
      command: {
        op: 'sync',
        groupId: 'g',
        generationId: w.state.groups.get('g')!.generation,
        memberId: holder,
        owned: target,
      },
    });
    for (let t = 3_500; t <= 9_000; t += 500) {
      w.nowMs = t;
      w.beat(holder);
      w.beat(newcomer);
      await w.coordinator.expireSessions();
    }
    expect(w.members().sort()).toEqual([holder, newcomer].sort());
  });

  it('a new controller term restarts every session clock', async () => {
    const w = new World();
    const a = w.join(3_000);
    await w.coordinator.expireSessions();
    w.nowMs = 2_900;
    w.term = 2;
    w.nowMs = 4_000;
    await w.coordinator.expireSessions();
    expect(w.members()).toEqual([a]);
    w.nowMs = 7_100;
    await w.coordinator.expireSessions();
    expect(w.members()).toEqual([]);
  });

  it('does nothing and answers NOT_COORDINATOR while this node does not lead the controller', async () => {
    const w = new World();
    const a = w.join(1_000);
    w.term = undefined;
    w.nowMs = 60_000;
    await w.coordinator.expireSessions();
    expect(w.members()).toEqual([a]);
    expect(w.beat(a)).toBe('NOT_COORDINATOR');
  });
});
