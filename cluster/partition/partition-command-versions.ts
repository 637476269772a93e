import { requireClusterVersion } from '../../lib/index.js';
import type { PartitionCommand } from './partition-types.js';

export type PartitionCommandType = PartitionCommand['type'];

/**
 * The cluster version each partition command type belongs to: a partition leader proposes one only
 * once that version is active, since every replica, and any node a snapshot or a new replica carries
 * the group to, must read it. A new type gets the version of the build that adds it, so the table
 * cannot leave one out. Types 1–6 were read by the build that announced nothing, hence version 1.
 */
export const partitionCommandVersions = {
  append: 1,
  'set-log-start-offset': 1,
  compact: 1,
  'queue-lease': 1,
  'queue-settle': 1,
  'queue-delete': 1,
} as const satisfies Record<PartitionCommandType, number>;

/** Refuses (UNAVAILABLE, retriable) a command of a version the cluster has not activated; on the produce path. */
export function requirePartitionCommandActive(
  activeVersion: number,
  type: string,
  versions: Readonly<Record<string, number>> = partitionCommandVersions,
): void {
  requireClusterVersion(activeVersion, versions[type] ?? 1, 'partition command', type);
}
