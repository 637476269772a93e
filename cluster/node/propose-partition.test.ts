import { describe, expect, it, vi } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { nodeLogicalVersion } from '../controller/index.js';
import type { Proposal } from '../host/index.js';
import {
  encodePartitionEntry,
  partitionCommandVersions,
  partitionSnapshotLayouts,
  type PartitionEntry,
} from '../partition/index.js';
import { proposePartitionEntry, type ProposingPartition } from './propose-partition.js';

/** A version above this build's: an existing command type stands in for one added by a later build. */
const testVersion = nodeLogicalVersion + 1;
const gated = { ...partitionCommandVersions, 'queue-delete': testVersion };
const entry: PartitionEntry = {
  timestampMs: 5,
  command: { type: 'queue-delete', queue: 'jobs' },
};

function leaderAt(activeVersion: number) {
  const propose = vi.fn((_data: Uint8Array) => ({ index: 1, term: 1 }) as unknown as Proposal);
  const local: ProposingPartition = { group: { propose }, replica: { activeVersion: () => activeVersion } };
  return { local, propose };
}

describe('proposePartitionEntry', () => {
  it('refuses a command of a version the cluster has not activated, proposing nothing', () => {
    const { local, propose } = leaderAt(nodeLogicalVersion);
    expect(() => proposePartitionEntry(local, entry, gated)).toThrow(RaftlogError);
    expect(() => proposePartitionEntry(local, entry, gated)).toThrow(
      `'queue-delete' needs cluster version ${testVersion}, active is ${nodeLogicalVersion}`,
    );
    expect(propose).not.toHaveBeenCalled();
  });

  it('proposes it, encoded, once the version is active', () => {
    const { local, propose } = leaderAt(testVersion);
    proposePartitionEntry(local, entry, gated);
    expect(propose).toHaveBeenCalledWith(encodePartitionEntry(entry));
  });

  it('proposes every command type of this build in a cluster at version 1', () => {
    const { local, propose } = leaderAt(1);
    proposePartitionEntry(local, entry);
    expect(propose).toHaveBeenCalledOnce();
  });

  it('gates nothing on a version this build does not announce, which would never become active', () => {
    for (const version of Object.values(partitionCommandVersions))
      expect(version).toBeLessThanOrEqual(nodeLogicalVersion);
    for (const layout of partitionSnapshotLayouts)
      expect(layout.clusterVersion).toBeLessThanOrEqual(nodeLogicalVersion);
  });
});
