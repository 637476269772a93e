import { afterEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../lib/index.js';
import {
  eventually,
  leaderAndFollower,
  proposeAll,
  stopTracked,
  trio,
  type HostNode,
} from './host-test-harness.js';

afterEach(stopTracked);

function proposeSmall(leader: HostNode, count: number): Promise<void> {
  return proposeAll(
    leader,
    Array.from({ length: count }, (_, i) => new Uint8Array([i & 0xff, 1, 2, 3])),
  );
}

// Whole-node simulation, churn seed 1025: a follower that installed a leader's snapshot kept the
// configuration it had before, wrote it into its own next snapshot, and came back from a restart
// with a replica the group had removed as a voter: the partition never settled on a leader.
describe('a snapshot installed from the leader, over 127.0.0.1 with RocksDB', () => {
  it('carries its configuration into the follower’s next snapshot and its restart', async () => {
    const t = await trio({});
    const [leader, follower] = await leaderAndFollower(t);
    let c = await t.start(3);
    await proposeSmall(leader, 20);
    await eventually(() => c.sm.entries.length === 20, 10_000, 'node 3 caught up');
    await c.stop();

    // A change node 3 hears of only inside the snapshot: a learner (that never answers) joins.
    leader.group.proposeConfChange({
      changes: [{ type: 'add-learner', nodeId: 4 as NodeId }],
      transition: 'auto',
    });
    await eventually(() => leader.group.confState.learners.includes(4 as NodeId), 10_000, 'learner added');
    await proposeSmall(leader, 20);
    await leader.host.snapshotNow(leader.group.id);

    c = await t.start(3);
    // The state machine is restored before the write that makes the install durable completes.
    const installed = (): boolean => c.group.storage.snapshot().metadata.index > 0;
    await eventually(
      () => installed() && c.sm.entries.length === 40,
      20_000,
      'node 3 installed the snapshot',
    );
    expect(c.group.storage.snapshot().metadata.confState.learners).toEqual([4]);
    expect(c.group.confState.learners).toEqual([4]);
    await proposeSmall(leader, 5);
    await eventually(() => c.sm.entries.length === 45, 10_000, 'node 3 applied past the snapshot');
    await c.host.snapshotNow(c.group.id);
    expect(c.group.storage.snapshot().metadata.index).toBeGreaterThan(40);
    expect(c.group.storage.snapshot().metadata.confState.learners).toEqual([4]);

    await c.stop();
    c = await t.start(3);
    expect(c.group.status().confState.learners).toEqual([4]);
    expect(c.group.status().confState.voters).toEqual([1, 2, 3]);
    expect([leader.fatal, follower.fatal, c.fatal]).toEqual([[], [], []]);
  }, 60_000);
});
