import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeId, VersionBehindError, type NodeId } from '../../lib/index.js';
import type { Entry } from '../../raft/index.js';
import { encodeControllerEntry, type ControllerCommand } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';
import { ActiveVersionDuty } from './active-version-duty.js';
import { ControllerReplica } from './controller-replica.js';

const silent = pino({ level: 'silent' });

/** A controller replica and a stand-in for its Raft group: entries commit and apply at once. */
function controllerOf(logicalVersion: number) {
  const replica = new ControllerReplica(logicalVersion);
  let term = 1;
  const apply = (command: ControllerCommand): void => {
    const index = replica.state.appliedIndex + 1;
    const data = encodeControllerEntry({ timestampMs: index * 1000, command });
    const result = replica.apply({ index, term, type: 'normal', data } as unknown as Entry);
    if (!result.ok) throw new Error(result.message);
  };
  const group = {
    status: () => ({
      role: 'leader',
      term,
      commit: replica.state.appliedIndex,
      confState: { voters: [1, 2, 3], votersOutgoing: [], learners: [], learnersNext: [] },
    }),
    storage: { term: () => term },
  } as unknown as RaftGroup;
  for (const id of [1, 2, 3]) apply({ type: 'register-node', nodeId: id, address: `n${id}:1` });
  return { replica, group, apply, newTerm: () => (term += 1) };
}

/** The duty on node 1, hearing `announced` from its peers (what their Hello answers said). */
function dutyOn(c: ReturnType<typeof controllerOf>, announced: Map<NodeId, number>) {
  const proposed: ControllerCommand[] = [];
  const duty = new ActiveVersionDuty({
    nodeId: nodeId(1),
    controller: c.replica,
    controllerGroup: () => c.group,
    peerVersions: () => announced,
    proposeController: (command) => {
      proposed.push(command);
      c.apply(command);
      return Promise.resolve();
    },
    logger: silent,
  });
  return { duty, proposed };
}

const peers = (two: number, three: number): Map<NodeId, number> =>
  new Map([
    [nodeId(2), two],
    [nodeId(3), three],
  ]);

describe('the active version on the controller leader', () => {
  it('waits for the slowest node of a rolling upgrade, then rises by itself', async () => {
    const c = controllerOf(2);
    const announced = peers(0, 0);
    const { duty, proposed } = dutyOn(c, announced);
    await duty.run();
    announced.set(nodeId(2), 2);
    await duty.run();
    expect(proposed).toEqual([]);
    expect(c.replica.state.activeVersion).toBe(1);
    announced.set(nodeId(3), 2);
    await duty.run();
    expect(proposed).toEqual([{ type: 'raise-active-version', version: 2 }]);
    expect(c.replica.state.activeVersion).toBe(2);
    await duty.run();
    expect(proposed).toHaveLength(1);
  });

  it('holds while a member is not connected', async () => {
    const c = controllerOf(2);
    const { duty, proposed } = dutyOn(c, new Map([[nodeId(2), 2]]));
    await duty.run();
    expect(proposed).toEqual([]);
  });

  it('reaches a higher test version only when every node announces it, and never goes down', async () => {
    const c = controllerOf(3);
    const announced = peers(3, 2);
    const { duty, proposed } = dutyOn(c, announced);
    await duty.run();
    expect(c.replica.state.activeVersion).toBe(2);
    announced.set(nodeId(3), 3);
    await duty.run();
    expect(c.replica.state.activeVersion).toBe(3);
    // A node heard again at an older version (restarted on an old build) lowers nothing.
    announced.set(nodeId(2), 0);
    await duty.run();
    expect(proposed.map((p) => p.type === 'raise-active-version' && p.version)).toEqual([2, 3]);
    expect(c.replica.state.activeVersion).toBe(3);
  });

  it('a new leader keeps the version it finds, and a restored replica has it too', async () => {
    const c = controllerOf(2);
    await dutyOn(c, peers(2, 2)).duty.run();
    c.newTerm();
    // The new leader has not heard from node 3 yet: it proposes nothing and lowers nothing.
    const { duty, proposed } = dutyOn(c, new Map([[nodeId(2), 2]]));
    await duty.run();
    expect(proposed).toEqual([]);
    expect(c.replica.state.activeVersion).toBe(2);
    const restored = new ControllerReplica(2);
    restored.restore({ data: c.replica.snapshotData() } as Parameters<ControllerReplica['restore']>[0]);
    expect(restored.state.activeVersion).toBe(2);
  });

  it('waits until the new leader has applied its own term', async () => {
    const c = controllerOf(2);
    const lagging = {
      status: () => ({ ...c.group.status(), commit: c.replica.state.appliedIndex + 1 }),
      storage: c.group.storage,
    } as unknown as RaftGroup;
    const proposed: ControllerCommand[] = [];
    const duty = new ActiveVersionDuty({
      nodeId: nodeId(1),
      controller: c.replica,
      controllerGroup: () => lagging,
      peerVersions: () => peers(2, 2),
      proposeController: (command) => (proposed.push(command), Promise.resolve()),
      logger: silent,
    });
    await duty.run();
    expect(proposed).toEqual([]);
  });
});

describe('a node behind the active version', () => {
  it('stops on applying a raise above its logical version', () => {
    const c = controllerOf(2);
    expect(() => c.apply({ type: 'raise-active-version', version: 3 })).toThrow(VersionBehindError);
    expect(c.replica.state.activeVersion).toBe(1);
  });

  it('refuses to restore a state whose active version it cannot read', () => {
    const c = controllerOf(3);
    c.apply({ type: 'raise-active-version', version: 3 });
    const older = new ControllerReplica(2);
    expect(() =>
      older.restore({ data: c.replica.snapshotData() } as Parameters<ControllerReplica['restore']>[0]),
    ).toThrow(/active version is 3, this node's build reads up to version 2/);
  });
});
