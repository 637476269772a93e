import type { NodeId } from '../../lib/index.js';
import type { Message, SoftState } from '../../raft/index.js';

/** Raft events on one node since it started, summed over its groups; read by a metrics exporter. */
export interface RaftEventCounts {
  /** Times a group of this node became a candidate (pre-votes that went no further are not counted). */
  readonly electionsStarted: number;
  /** Times a group of this node learned of a leader other than the one it knew before. */
  readonly leaderChanges: number;
  /** Snapshots this node began sending to followers (first chunk). */
  readonly snapshotsSent: number;
  /** Snapshots this node installed from a leader. */
  readonly snapshotsInstalled: number;
}

/** Counts the events as the host's ready cycles report them: plain integers, nothing per tick. */
export class RaftEventCounter implements RaftEventCounts {
  electionsStarted = 0;
  leaderChanges = 0;
  snapshotsSent = 0;
  snapshotsInstalled = 0;

  /** A Ready's role change; `knownLeader` is the leader the group knew before it. */
  noteSoftState(soft: SoftState, knownLeader: NodeId | 0): void {
    if (soft.role === 'candidate') this.electionsStarted++;
    if (soft.leader !== 0 && soft.leader !== knownLeader) this.leaderChanges++;
  }

  noteSent(message: Message): void {
    if (message.type === 'snapshot' && message.snapshotChunk?.offset === 0) this.snapshotsSent++;
  }

  noteInstalled(): void {
    this.snapshotsInstalled++;
  }
}
