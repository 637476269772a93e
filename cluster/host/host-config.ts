import { assert, type NodeId } from '../../lib/index.js';
import {
  defaultTransportLimits,
  entryOverheadBytes,
  messageOverheadBytes,
  snapshotChunkOverheadBytes,
} from '../transport/index.js';

export interface HostConfig {
  readonly nodeId: NodeId;
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  /**
   * The transport's frame: no message may be larger. Every budget below is checked against it at
   * start (see assertHostBudgets), and the largest proposal follows from it (proposalBytesMax).
   */
  readonly frameBytesMax: number;
  /** Bytes of one append message: entries with their encoding overhead (one entry always goes). */
  readonly appendEntriesBytesMax: number;
  readonly inflightMessagesMax: number;
  readonly uncommittedBytesMax: number;
  /** Snapshot data per InstallSnapshot chunk; a snapshot of any size streams in such chunks. */
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
   * older ones are read back from disk when a lagging follower or a reader behind the tail needs
   * them. 32 MiB holds ~2 s of a partition at full load here and keeps a node under 300 MiB RSS;
   * 64 MiB cost 20–30 MiB more RSS for no measured throughput (test/bench/results/README.md, node memory).
   */
  readonly logCacheBytesMax: number;
  /**
   * A group whose share is at least this keeps its cached entries in one ring of the share's size
   * (EntryRing) instead of a copy per entry; below it, a ring would hold too few of a busy
   * partition's entries to be worth its memory, and thousands of groups share the cache thinly.
   */
  readonly logCacheRingBytesMin: number;
  /** Settled groups stop ticking (no heartbeats); node keepalives carry liveness instead. */
  readonly quiesce: boolean;
}

/**
 * Node ids a snapshot chunk's configuration may name (voters, outgoing voters, learners and learners
 * next, counted separately): far beyond any real group, and what a chunk's overhead is reserved for.
 */
export const configurationIdsMax = 1024;

const mib = 1024 * 1024;

export const hostDefaults: Omit<
  HostConfig,
  'nodeId' | 'tickMs' | 'electionTimeoutTicks' | 'heartbeatIntervalTicks'
> = {
  frameBytesMax: defaultTransportLimits.frameBytesMax,
  appendEntriesBytesMax: mib,
  inflightMessagesMax: 64,
  uncommittedBytesMax: 64 * mib,
  snapshotChunkBytesMax: mib,
  snapshotEntriesMin: 10_000,
  snapshotBytesMin: 8 * 1024 * 1024,
  compactionTrailEntries: 1_000,
  compactionTrailBytes: 32 * 1024 * 1024,
  logCacheBytesMax: 32 * 1024 * 1024,
  logCacheRingBytesMin: mib,
  quiesce: true,
};

/**
 * The largest entry (a proposal's data) guaranteed to reach every follower: an append message
 * carrying it alone fits in one frame. Raft refuses larger proposals with MESSAGE_TOO_LARGE; the
 * produce path should refuse larger batches (with the entry's own header) before proposing.
 */
export function proposalBytesMax(frameBytesMax: number): number {
  return frameBytesMax - messageOverheadBytes - entryOverheadBytes;
}

/** The largest append budget and snapshot chunk whose messages fit in a frame. */
export function frameBudgets(frameBytesMax: number): {
  appendEntriesBytesMax: number;
  snapshotChunkBytesMax: number;
} {
  return {
    appendEntriesBytesMax: frameBytesMax - messageOverheadBytes,
    snapshotChunkBytesMax: frameBytesMax - snapshotChunkOverheadBytes(configurationIdsMax),
  };
}

/**
 * A host configuration for a frame size: the defaults, shrunk where a small frame requires, then the
 * overrides (which must fit too).
 */
export function resolveHostConfig(
  required: Pick<HostConfig, 'nodeId' | 'tickMs' | 'electionTimeoutTicks' | 'heartbeatIntervalTicks'>,
  overrides: Partial<HostConfig> = {},
): HostConfig {
  const frameBytesMax = overrides.frameBytesMax ?? hostDefaults.frameBytesMax;
  const fit = frameBudgets(frameBytesMax);
  const config: HostConfig = {
    ...hostDefaults,
    frameBytesMax,
    appendEntriesBytesMax: Math.min(hostDefaults.appendEntriesBytesMax, fit.appendEntriesBytesMax),
    snapshotChunkBytesMax: Math.min(hostDefaults.snapshotChunkBytesMax, fit.snapshotChunkBytesMax),
    ...overrides,
    ...required,
  };
  assertHostBudgets(config);
  return config;
}

/**
 * entry <= append message <= frame (<= gRPC message, checked by the transport): a message larger than
 * a frame could never be sent, and Raft would resend it forever.
 */
export function assertHostBudgets(config: HostConfig): void {
  const fit = frameBudgets(config.frameBytesMax);
  assert(
    proposalBytesMax(config.frameBytesMax) > 0 && fit.snapshotChunkBytesMax > 0,
    `frameBytesMax ${config.frameBytesMax} leaves no room for data`,
  );
  assert(
    config.appendEntriesBytesMax <= fit.appendEntriesBytesMax,
    `appendEntriesBytesMax ${config.appendEntriesBytesMax} exceeds the ${fit.appendEntriesBytesMax} a frame of ${config.frameBytesMax} carries`,
  );
  assert(
    config.snapshotChunkBytesMax <= fit.snapshotChunkBytesMax,
    `snapshotChunkBytesMax ${config.snapshotChunkBytesMax} exceeds the ${fit.snapshotChunkBytesMax} a frame of ${config.frameBytesMax} carries`,
  );
}
