import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/index.js';
import { waitForLeaderChange } from './leader-change-wait.js';

/** A group whose leader changes only when the test says so, firing its listeners like a Ready. */
class FakeGroup {
  leader = 1;
  private readonly listeners = new Set<() => void>();

  onLeaderChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  moveTo(leader: number): void {
    this.leader = leader;
    for (const l of [...this.listeners]) l();
  }

  get listenerCount(): number {
    return this.listeners.size;
  }
}

const settled = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('waiting for leadership to move', () => {
  it('resolves on the leader change that satisfies the condition, and unsubscribes', async () => {
    const clock = new ManualClock();
    const group = new FakeGroup();
    let outcome: boolean | undefined;
    void waitForLeaderChange([group], clock, () => group.leader === 3, 1_000).then((o) => (outcome = o));
    group.moveTo(2);
    await settled();
    expect(outcome).toBeUndefined();
    group.moveTo(3);
    await settled();
    expect(outcome).toBe(true);
    expect(group.listenerCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('answers false at the deadline when nothing moved, leaving no listener or timer', async () => {
    const clock = new ManualClock();
    const group = new FakeGroup();
    let outcome: boolean | undefined;
    void waitForLeaderChange([group], clock, () => group.leader === 3, 1_000).then((o) => (outcome = o));
    clock.advance(999);
    await settled();
    expect(outcome).toBeUndefined();
    clock.advance(1);
    await settled();
    expect(outcome).toBe(false);
    expect(group.listenerCount).toBe(0);
    expect(clock.pendingCount).toBe(0);
  });

  it('waits for every group when the condition spans several', async () => {
    const clock = new ManualClock();
    const groups = [new FakeGroup(), new FakeGroup()];
    let outcome: boolean | undefined;
    const noneHere = (): boolean => groups.every((g) => g.leader !== 1);
    void waitForLeaderChange(groups, clock, noneHere, 1_000).then((o) => (outcome = o));
    groups[0]?.moveTo(2);
    await settled();
    expect(outcome).toBeUndefined();
    groups[1]?.moveTo(3);
    await settled();
    expect(outcome).toBe(true);
  });

  it('does not wait when the condition already holds', async () => {
    const clock = new ManualClock();
    await expect(waitForLeaderChange([new FakeGroup()], clock, () => true, 1_000)).resolves.toBe(true);
    expect(clock.pendingCount).toBe(0);
  });
});
