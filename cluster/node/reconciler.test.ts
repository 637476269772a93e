import { describe, expect, it } from 'vitest';
import type { GroupId, NodeId, PartitionId } from '../../lib/index.js';
import { defaultTopicConfig, type PartitionGroupSpec } from '../controller/index.js';
import { bootstrapOf, joinsRunningGroup } from './reconciler.js';

function spec(
  replicas: number[],
  targetReplicas: number[] | null,
  bootstrapReplicas: number[] | undefined,
): PartitionGroupSpec {
  return {
    groupId: 7 as GroupId,
    topic: 't',
    partition: 0 as PartitionId,
    replicas: replicas as NodeId[],
    targetReplicas: targetReplicas as NodeId[] | null,
    bootstrapReplicas: bootstrapReplicas as NodeId[] | undefined,
    config: defaultTopicConfig,
  };
}

describe('bootstrapOf', () => {
  it('starts every replica, a joining one too, from the configuration the group was created with', () => {
    const moved = spec([4, 5, 1], null, [4, 5, 2]);
    expect(bootstrapOf(moved, 1 as NodeId)?.confState.voters).toEqual([4, 5, 2]);
    expect(bootstrapOf(moved, 4 as NodeId)?.confState.voters).toEqual([4, 5, 2]);
    const joining = spec([4, 5, 2], [4, 5, 1], [4, 5, 2]);
    expect(bootstrapOf(joining, 1 as NodeId)?.confState.voters).toEqual([4, 5, 2]);
  });

  it('falls back to the current replicas, for their members only, when the state predates the record', () => {
    const old = spec([1, 2, 3], [1, 2, 4], undefined);
    expect(bootstrapOf(old, 2 as NodeId)?.confState.voters).toEqual([1, 2, 3]);
    expect(bootstrapOf(old, 4 as NodeId)).toBeUndefined();
  });
});

describe('joinsRunningGroup', () => {
  const n = (id: number): NodeId => id as NodeId;
  it('is a join for a move target, or once the members differ from the first ones, not at creation', () => {
    expect(joinsRunningGroup(spec([1, 2, 3], null, [1, 2, 3]), n(1))).toBe(false);
    expect(joinsRunningGroup(spec([3, 1, 2], null, [1, 2, 3]), n(1))).toBe(false);
    expect(joinsRunningGroup(spec([1, 2, 3], [1, 2, 4], [1, 2, 3]), n(4))).toBe(true);
    expect(joinsRunningGroup(spec([4, 5, 1], null, [4, 5, 2]), n(1))).toBe(true);
    expect(joinsRunningGroup(spec([1, 2], null, [1, 2, 3]), n(1))).toBe(true);
    expect(joinsRunningGroup(spec([1, 2, 3], null, undefined), n(1))).toBe(false);
  });

  // Whole-node simulation seed 9908: a replica removal was asked for before the new partition elected
  // its first leader, every replica (re)started with an empty log while the move was pending, and
  // all three counted as joining: no vote request ever left a node and the partition never elected.
  it('is no join for a first member while a move is pending, so a group that never ran can elect', () => {
    for (const self of [1, 2, 3])
      expect(joinsRunningGroup(spec([3, 1, 2], [3, 1], [3, 1, 2]), n(self))).toBe(false);
  });
});
