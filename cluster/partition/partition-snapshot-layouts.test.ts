import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../lib/index.js';
import { decodePartitionSnapshot, partitionSnapshotVersion } from './partition-snapshot-codec.js';
import {
  encodePartitionSnapshotAt,
  partitionSnapshotLayoutFor,
  partitionSnapshotLayouts,
  type PartitionSnapshotLayout,
} from './partition-snapshot-layouts.js';
import { PartitionStateMachine } from './partition-state-machine.js';

/** A cluster version no build has reached, and a layout of it that no build reads. */
const laterVersion = 1_000;
const laterLayout: PartitionSnapshotLayout = {
  version: partitionSnapshotVersion + 1,
  clusterVersion: laterVersion,
  write: () => new Uint8Array([partitionSnapshotVersion + 1]),
};
const withLater = [...partitionSnapshotLayouts, laterLayout];

describe('partition snapshot layouts', () => {
  it('writes the newest layout this build knows, from cluster version 1 on', () => {
    expect(partitionSnapshotLayoutFor(1).version).toBe(partitionSnapshotVersion);
    const sm = new PartitionStateMachine();
    const bytes = encodePartitionSnapshotAt(sm, 1);
    expect(bytes[0]).toBe(partitionSnapshotVersion);
    expect(decodePartitionSnapshot(bytes).toData()).toEqual(sm.toData());
  });

  it('keeps writing the older layout until the later one is active', () => {
    const sm = new PartitionStateMachine();
    for (const active of [1, 2, laterVersion - 1])
      expect(encodePartitionSnapshotAt(sm, active, withLater)[0]).toBe(partitionSnapshotVersion);
    expect(encodePartitionSnapshotAt(sm, laterVersion, withLater)[0]).toBe(partitionSnapshotVersion + 1);
    expect(encodePartitionSnapshotAt(sm, laterVersion + 1, withLater)[0]).toBe(partitionSnapshotVersion + 1);
  });

  it('picks by layout version, not by the order of the table', () => {
    expect(partitionSnapshotLayoutFor(laterVersion, [laterLayout, ...partitionSnapshotLayouts])).toBe(
      laterLayout,
    );
  });

  it('stops rather than write a layout no node of the cluster reads', () => {
    expect(() => partitionSnapshotLayoutFor(laterVersion - 1, [laterLayout])).toThrow(AssertionError);
  });
});
