import type { NodeId } from '../../lib/index.js';

export interface HostConfig {
  readonly nodeId: NodeId;
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly appendEntriesBytesMax: number;
  readonly inflightMessagesMax: number;
  readonly uncommittedBytesMax: number;
  readonly snapshotChunkBytesMax: number;
  /** A group snapshots its state once this many entries are applied past its first log index. */
  readonly snapshotEntriesMin: number;
  /** Entries kept below a snapshot so a follower slightly behind still catches up from the log. */
  readonly compactionTrailEntries: number;
  /** Settled groups stop ticking (no heartbeats); node keepalives carry liveness instead. */
  readonly quiesce: boolean;
}

export const hostDefaults: Omit<
  HostConfig,
  'nodeId' | 'tickMs' | 'electionTimeoutTicks' | 'heartbeatIntervalTicks'
> = {
  appendEntriesBytesMax: 1024 * 1024,
  inflightMessagesMax: 64,
  uncommittedBytesMax: 64 * 1024 * 1024,
  snapshotChunkBytesMax: 1024 * 1024,
  snapshotEntriesMin: 10_000,
  compactionTrailEntries: 1_000,
  quiesce: true,
};
