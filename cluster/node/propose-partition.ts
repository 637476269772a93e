import type { Proposal, RaftGroup } from '../host/index.js';
import {
  encodePartitionEntry,
  partitionCommandVersions,
  requirePartitionCommandActive,
  type PartitionEntry,
} from '../partition/index.js';

/** What the gate needs of a LocalPartition (partition-ops.ts). */
export interface ProposingPartition {
  readonly group: Pick<RaftGroup, 'propose'>;
  readonly replica: { readonly activeVersion: () => number };
}

/**
 * The one way this node proposes a partition entry (the lint config refuses encodePartitionEntry
 * anywhere else in cluster/node): a command of a version the cluster has not activated is refused
 * (UNAVAILABLE, retriable) before it reaches the log, where a replica of an older build would stop
 * on it. `versions` is for tests.
 */
export function proposePartitionEntry(
  local: ProposingPartition,
  entry: PartitionEntry,
  versions: Readonly<Record<string, number>> = partitionCommandVersions,
): Proposal {
  requirePartitionCommandActive(local.replica.activeVersion(), entry.command.type, versions);
  return local.group.propose(encodePartitionEntry(entry));
}
