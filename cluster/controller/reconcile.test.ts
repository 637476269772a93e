import { describe, expect, it } from 'vitest';
import { groupId, nodeId, type GroupId } from '../../lib/index.js';
import { controllerGroupIdValue } from './controller-types.js';
import { reconcile } from './reconcile.js';
import { applyAll, registerNodes } from './test-helpers.js';

describe('reconcile', () => {
  const { state } = applyAll([
    ...registerNodes(3),
    { type: 'create-topic', name: 'a', partitions: 3, replicationFactor: 2, config: {} },
    { type: 'create-topic', name: 'b', partitions: 1, replicationFactor: 1, config: {} },
  ]);

  function hostedBy(node: number): number[] {
    const ids: number[] = [];
    for (const t of state.topics.values()) {
      for (const p of t.partitions) if (p.replicas.includes(nodeId(node))) ids.push(p.groupId);
    }
    return ids.sort((x, y) => x - y);
  }

  it('creates every assigned group on an empty node and removes nothing', () => {
    for (const node of [1, 2, 3]) {
      const plan = reconcile(state, nodeId(node), []);
      expect(plan.create.map((s) => s.groupId)).toEqual(hostedBy(node));
      expect(plan.remove).toEqual([]);
      for (const spec of plan.create) expect(spec.replicas).toContain(node);
    }
  });

  it('removes groups of deleted topics and unknown groups, never the controller group', () => {
    const running: GroupId[] = [groupId(controllerGroupIdValue), ...hostedBy(1).map(groupId), groupId(99)];
    const after = applyAll([{ type: 'delete-topic', name: 'a' }], state).state;
    const aGroups = state.topics.get('a')!.partitions.map((p) => p.groupId as number);
    const plan = reconcile(after, nodeId(1), running);
    expect(plan.create).toEqual([]);
    expect(plan.remove).toEqual([...hostedBy(1).filter((g) => aGroups.includes(g)), 99]);
  });

  it('starts a group on a node that is only in the target replica set', () => {
    const outsider = [1, 2, 3].find(
      (n) => !state.topics.get('b')!.partitions[0]!.replicas.includes(nodeId(n)),
    )!;
    const moving = applyAll(
      [{ type: 'add-replica', topic: 'b', partition: 0, nodeId: outsider }],
      state,
    ).state;
    const running = hostedBy(outsider).map(groupId);
    const plan = reconcile(moving, nodeId(outsider), running);
    expect(plan.create).toHaveLength(1);
    expect(plan.create[0]).toMatchObject({ topic: 'b', partition: 0 });
    expect(plan.create[0]!.targetReplicas).toContain(outsider);
    expect(plan.remove).toEqual([]);
  });
});
