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
  /** A group snapshots its state once this many entries are applied since its last snapshot. */
  readonly snapshotEntriesMin: number;
  /** ... or once this many bytes of entry data are applied since its last snapshot. */
  readonly snapshotBytesMin: number;
  /**
   * When a group snapshots, the log on disk keeps a trail below it so a follower slightly behind
   * still catches up from the log: at most this many entries, and at most about
   * `compactionTrailBytes` (compaction by bytes moves from one past snapshot to the next).
   */
  readonly compactionTrailEntries: number;
  readonly compactionTrailBytes: number;
  /**
   * Entry data of all groups' logs held in memory, node-wide, shared evenly by the hosted groups.
   * Entries not yet applied always stay (raft's uncommittedBytesMax and in-flight window bound them);
   * older ones are read back from disk when a lagging follower needs them.
   */
  readonly logCacheBytesMax: number;
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
  snapshotBytesMin: 8 * 1024 * 1024,
  compactionTrailEntries: 1_000,
  compactionTrailBytes: 32 * 1024 * 1024,
  logCacheBytesMax: 64 * 1024 * 1024,
  quiesce: true,
};
