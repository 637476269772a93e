import { describe, expect, it } from 'vitest';
import { ManualClock, type NodeId } from '../../lib/index.js';
import type { MultiRaftHost } from '../host/index.js';
import { LeadershipMoves } from './leadership-moves.js';
import type { PartitionRouter } from './partition-router.js';

/** A group node 1 leads, with followers 2 (match 10) and 3 (match 7); a transfer completes on `settle`. */
class FakeGroup {
  leader: number = 1;
  asked: number | undefined;
  readonly confState = { voters: [1, 2, 3] };
  private readonly listeners = new Set<() => void>();

  isLeader(): boolean {
    return this.leader === 1;
  }

  status() {
    const progress = new Map([
      [1, { match: 10 }],
      [2, { match: 10 }],
      [3, { match: 7 }],
    ]);
    return { id: 1, term: 4, leader: this.leader, confState: this.confState, progress };
  }

  transferLeader(to: number): void {
    this.asked = to;
  }

  onLeaderChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  settle(): void {
    if (this.asked !== undefined) this.leader = this.asked;
    for (const l of [...this.listeners]) l();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

function movesOn(host: Partial<MultiRaftHost>, clock: ManualClock): LeadershipMoves {
  return new LeadershipMoves({
    nodeId: 1 as NodeId,
    host: { schedule: () => undefined, ...host } as MultiRaftHost,
    router: {} as PartitionRouter,
    clock,
    tickMs: 100,
    electionTimeoutTicks: 10,
  });
}

function moves(groups: FakeGroup[]): { clock: ManualClock; moves: LeadershipMoves } {
  const clock = new ManualClock();
  return { clock, moves: movesOn({ allGroups: () => groups } as unknown as Partial<MultiRaftHost>, clock) };
}

/** Moves of the controller group, here `group`. */
function controllerMoves(group: FakeGroup, clock: ManualClock): LeadershipMoves {
  return movesOn({ group: () => group } as unknown as Partial<MultiRaftHost>, clock);
}

describe('moving leadership off a stopping node', () => {
  it('asks the most caught-up follower of each group, and returns once every group moved', async () => {
    const groups = [new FakeGroup(), new FakeGroup()];
    const { clock, moves: m } = moves(groups);
    let done = false;
    void m.handOff().then(() => (done = true));
    expect(groups.map((g) => g.asked)).toEqual([2, 2]);
    groups[0]?.settle();
    await settled();
    expect(done).toBe(false);
    groups[1]?.settle();
    await settled();
    expect(done).toBe(true);
    expect(groups.map((g) => g.listenerCount)).toEqual([0, 0]);
    expect(clock.pendingCount).toBe(0);
  });

  it('gives up after 3 s when a group does not move, leaving nothing behind', async () => {
    const group = new FakeGroup();
    const { clock, moves: m } = moves([group]);
    let done = false;
    void m.handOff().then(() => (done = true));
    clock.advance(2_999);
    await settled();
    expect(done).toBe(false);
    clock.advance(1);
    await settled();
    expect(done).toBe(true);
    expect(group.listenerCount).toBe(0);
  });
});

describe('a requested leadership transfer', () => {
  const toController = (target: number) => ({
    controller: true,
    topic: '',
    partition: 0,
    targetNodeId: target as NodeId,
  });

  it('answers the new leader when the change is reported', async () => {
    const group = new FakeGroup();
    const clock = new ManualClock();
    const moved = controllerMoves(group, clock).transfer(toController(3));
    group.settle();
    await expect(moved).resolves.toEqual({ leaderId: 3, term: 4 });
    expect(group.listenerCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('refuses a node that is not a voter of the group at once, asking nothing', async () => {
    const group = new FakeGroup();
    const clock = new ManualClock();
    for (const target of [4, 99]) {
      const outcome = controllerMoves(group, clock)
        .transfer(toController(target))
        .catch((e: { code: string }) => e.code);
      await expect(outcome).resolves.toBe('INVALID_ARGUMENT');
    }
    expect(group.asked).toBeUndefined();
    expect(clock.pendingCount).toBe(0);
  });

  it('answers TIMEOUT after three election timeouts without a change', async () => {
    const group = new FakeGroup();
    const clock = new ManualClock();
    const outcome = controllerMoves(group, clock)
      .transfer(toController(2))
      .catch((e: { code: string }) => e.code);
    clock.advance(2_999);
    await settled();
    expect(group.listenerCount).toBe(1);
    clock.advance(1);
    await expect(outcome).resolves.toBe('TIMEOUT');
    expect(group.listenerCount).toBe(0);
  });
});
