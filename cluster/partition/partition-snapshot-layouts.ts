import { assert } from '../../lib/index.js';
import { encodePartitionSnapshot, partitionSnapshotVersion } from './partition-snapshot-codec.js';
import type { PartitionStateMachine } from './partition-state-machine.js';

/** A partition snapshot layout this build writes, and the cluster version from which all nodes read it. */
export interface PartitionSnapshotLayout {
  /** The version byte the snapshot starts with. */
  readonly version: number;
  /** The cluster version that must be active before the layout is written. */
  readonly clusterVersion: number;
  readonly write: (sm: PartitionStateMachine) => Uint8Array;
}

/**
 * The layouts this build may write. A leader sends its snapshot to a lagging or new follower, which
 * may run the build before; so a new layout joins here with the cluster version of the build that
 * adds it, and the one before stays (with its writer) until no cluster can be below that version.
 * Version 5 was written by the build that announced nothing, hence cluster version 1.
 */
export const partitionSnapshotLayouts: readonly PartitionSnapshotLayout[] = [
  { version: partitionSnapshotVersion, clusterVersion: 1, write: encodePartitionSnapshot },
];

/** The newest layout every node of a cluster at `activeVersion` reads. */
export function partitionSnapshotLayoutFor(
  activeVersion: number,
  layouts: readonly PartitionSnapshotLayout[] = partitionSnapshotLayouts,
): PartitionSnapshotLayout {
  let chosen: PartitionSnapshotLayout | undefined;
  for (const layout of layouts) {
    if (layout.clusterVersion <= activeVersion && layout.version > (chosen?.version ?? 0)) chosen = layout;
  }
  assert(
    chosen !== undefined,
    `no partition snapshot layout is readable at cluster version ${activeVersion}`,
  );
  return chosen;
}

/** Writes the snapshot in the newest layout the cluster at `activeVersion` reads. */
export function encodePartitionSnapshotAt(
  sm: PartitionStateMachine,
  activeVersion: number,
  layouts: readonly PartitionSnapshotLayout[] = partitionSnapshotLayouts,
): Uint8Array {
  return partitionSnapshotLayoutFor(activeVersion, layouts).write(sm);
}
