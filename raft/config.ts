import { RaftlogError, type LogIndex, type NodeId, type Prng } from '../lib/index.js';
import type { RaftStorage } from './raft-storage.js';

export interface RaftConfig {
  id: NodeId;
  storage: RaftStorage;
  /** Election jitter comes only from here, so a run replays from its seed. */
  prng: Prng;
  /** E: each node draws its election timeout uniformly in [E, 2E). */
  electionTimeoutTicks: number;
  heartbeatIntervalTicks: number;
  /** Bytes of entries one append message carries (at least one entry, however large). */
  appendEntriesBytesMax: number;
  /**
   * Bytes counted per entry on top of its data toward appendEntriesBytesMax: what the transport's
   * encoding adds, so the whole message stays within the budget. 0 when absent.
   */
  entryOverheadBytes?: number;
  /** Largest entry data `propose` accepts (MESSAGE_TOO_LARGE beyond it); unlimited when absent. */
  entryBytesMax?: number;
  inflightMessagesMax: number;
  uncommittedBytesMax: number;
  snapshotChunkBytesMax: number;
  preVote: boolean;
  /** Also makes followers that hear from a live leader reject votes (leader stickiness). */
  checkQuorum: boolean;
  readOnly: 'safe' | 'lease';
  applied?: LogIndex;
}

export function validateConfig(c: RaftConfig): void {
  const problems: string[] = [];
  const positive = (v: number, what: string): void => {
    if (!Number.isSafeInteger(v) || v <= 0) problems.push(`${what} must be a positive integer, got ${v}`);
  };
  if (!Number.isSafeInteger(c.id) || c.id <= 0) problems.push(`id must be a positive integer, got ${c.id}`);
  positive(c.electionTimeoutTicks, 'electionTimeoutTicks');
  positive(c.heartbeatIntervalTicks, 'heartbeatIntervalTicks');
  positive(c.appendEntriesBytesMax, 'appendEntriesBytesMax');
  if (
    c.entryOverheadBytes !== undefined &&
    !(Number.isSafeInteger(c.entryOverheadBytes) && c.entryOverheadBytes >= 0)
  ) {
    problems.push(`entryOverheadBytes must be a non-negative integer, got ${c.entryOverheadBytes}`);
  }
  if (c.entryBytesMax !== undefined) positive(c.entryBytesMax, 'entryBytesMax');
  positive(c.inflightMessagesMax, 'inflightMessagesMax');
  positive(c.uncommittedBytesMax, 'uncommittedBytesMax');
  positive(c.snapshotChunkBytesMax, 'snapshotChunkBytesMax');
  if (c.heartbeatIntervalTicks >= c.electionTimeoutTicks) {
    problems.push('heartbeatIntervalTicks must be smaller than electionTimeoutTicks');
  }
  if (c.readOnly === 'lease' && !c.checkQuorum) problems.push('readOnly lease requires checkQuorum');
  if (problems.length > 0)
    throw new RaftlogError('INVALID_ARGUMENT', `invalid raft config: ${problems.join('; ')}`);
}
