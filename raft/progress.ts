import { assert } from '../lib/index.js';
import type { Snapshot } from './log-types.js';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** What the leader knows of one follower's log, and how it is sending to it. */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe: an append is out and unanswered, so wait for a response or heartbeat. */
  probeSent = false;
  recentActive = false;
  /**
   * The follower has no configuration and refused entries from index 1 (see Raft.handleAppend): it
   * waits for a snapshot. Cleared once it acknowledges anything.
   */
  wantsSnapshot = false;
  /** Leader ticks since this follower last answered (check-quorum counts it active below E). */
  silentTicks = 0;
  /** Last index of each append in flight (replicate state), oldest first. */
  readonly inflights: number[] = [];
  /** The snapshot being sent, its next chunk offset and the tick of the last progress. */
  pendingSnapshot: { snapshot: Snapshot; offset: number; idleTicks: number } | undefined;

  constructor(
    next: number,
    private readonly inflightMax: number,
  ) {
    this.next = next;
  }

  becomeProbe(): void {
    // After a snapshot the follower likely holds the snapshot's index; a rejection corrects that.
    const snapIndex = this.state === 'snapshot' ? (this.pendingSnapshot?.snapshot.metadata.index ?? 0) : 0;
    this.state = 'probe';
    this.next = Math.max(this.match + 1, snapIndex + 1);
    this.reset();
  }

  /**
   * The follower lost entries it had acknowledged (its disk or data directory did): `match` is lowered
   * to what it still holds and sending restarts from there. Commitment already decided stays decided;
   * only this copy of it is gone.
   */
  lostEntries(lastIndex: number): void {
    assert(lastIndex < this.match, `a loss report of ${lastIndex} below match ${this.match} only`);
    this.match = lastIndex;
    this.state = 'probe';
    this.next = lastIndex + 1;
    this.reset();
  }

  becomeReplicate(): void {
    this.state = 'replicate';
    this.next = this.match + 1;
    this.reset();
  }

  becomeSnapshot(snapshot: Snapshot): void {
    this.state = 'snapshot';
    this.reset();
    this.pendingSnapshot = { snapshot, offset: 0, idleTicks: 0 };
  }

  private reset(): void {
    this.probeSent = false;
    this.inflights.length = 0;
    if (this.state !== 'snapshot') this.pendingSnapshot = undefined;
  }

  /** An acknowledgement of `index`; false when it tells nothing new. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      this.wantsSnapshot = false;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * A rejection of the append at `rejected`; `hint` is the highest index that may match. False when
   * the rejection is stale (out of order).
   */
  maybeDecrTo(rejected: number, hint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, hint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  isPaused(): boolean {
    switch (this.state) {
      case 'probe':
        return this.probeSent;
      case 'replicate':
        return this.inflights.length >= this.inflightMax;
      case 'snapshot':
        return true;
    }
  }

  sentAppend(lastIndex: number, entryCount: number): void {
    if (this.state === 'replicate') {
      if (entryCount > 0) {
        assert(this.inflights.length < this.inflightMax, 'inflight window overflow');
        this.inflights.push(lastIndex);
        this.next = lastIndex + 1;
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /** Frees every in-flight slot up to `index`. */
  freeTo(index: number): void {
    while (this.inflights.length > 0 && (this.inflights[0] as number) <= index) this.inflights.shift();
  }
}
