import { RaftlogError, type GroupId, type NodeId } from '../../lib/index.js';
import {
  decodeConfChange,
  type ConfChange,
  type ConfState,
  type Entry,
  type RaftStatus,
  type SoftState,
  type RawNode,
  type Snapshot,
} from '../../raft/index.js';
import type { StorageBatch } from '../../storage/index.js';
import type { CachedRaftStorage } from './cached-raft-storage.js';
import type { GroupStateMachine } from './group-state-machine.js';

interface Waiter {
  readonly term: number;
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: RaftlogError) => void;
}

interface DurableWaiter {
  readonly index: number;
  readonly resolve: () => void;
}

/** A proposal's two milestones: on the leader's disk, and applied (committed on a quorum). */
export interface Proposal {
  readonly index: number;
  readonly term: number;
  readonly durable: Promise<void>;
  readonly applied: Promise<unknown>;
}

/** One Raft group on this node: its RawNode, the in-memory mirror of its durable log, its state machine. */
export class RaftGroup {
  confState: ConfState;
  removed = false;
  /** Ticks since the group last saw work other than heartbeats (see quiescence.ts). */
  idleTicks = 0;
  quiesced = false;
  /**
   * Another voter asked for a vote since this node last heard its leader's traffic for the group: the
   * group stays awake until the leader is heard or its election timer runs out (see quiescence.ts).
   */
  challenged = false;
  /** Entry bytes applied since the group was loaded; with `snapshotPoints`, places compaction by bytes. */
  appliedBytes = 0;
  /** Recent snapshots (index, appliedBytes then), oldest first: where the log may be compacted. */
  snapshotPoints: { index: number; bytes: number }[] = [];
  /** Entry bytes applied since this group last snapshotted (a snapshot is due past snapshotBytesMin). */
  get appliedBytesSinceSnapshot(): number {
    const last = this.snapshotPoints[this.snapshotPoints.length - 1];
    return this.appliedBytes - (last?.bytes ?? 0);
  }
  /** A read of older entries for a lagging follower is under way. */
  readingBack = false;
  // Made on first use: a node hosts thousands of groups, most of which never see a proposal or a
  // listener, and each empty Map or Set costs about 200 bytes of heap.
  private waiters: Map<number, Waiter> | undefined;
  private durableWaiters: DurableWaiter[] | undefined;
  private appliedListeners: Set<() => void> | undefined;
  private leadershipListeners: Set<() => void> | undefined;
  private leaderListeners: Set<() => void> | undefined;
  private leading = false;
  /** The leader the last reported role change named (0: none yet). */
  knownLeader: NodeId | 0 = 0;

  constructor(
    readonly id: GroupId,
    readonly raw: RawNode,
    readonly storage: CachedRaftStorage,
    readonly sm: GroupStateMachine,
    /** Asks the host for a ready cycle: a proposal must not wait for the next tick. */
    private readonly wake: () => void,
  ) {
    this.confState = storage.initialState().confState;
  }

  get leader(): NodeId | 0 {
    return this.raw.leader;
  }

  /** Role, term, commit and (on the leader) each follower's progress, as Raft sees them now. */
  status(): RaftStatus {
    return this.raw.status();
  }

  /** Proposes a membership change (applied through the log like any entry). */
  proposeConfChange(change: ConfChange): { index: number; term: number } {
    return this.raw.proposeConfChange(change);
  }

  /**
   * Asks `to` to take over. The group is woken, so a quiesced leader ticks and a transfer that
   * stalls (its TimeoutNow lost) expires after an election timeout and can be asked for again.
   */
  transferLeader(to: NodeId): void {
    this.raw.transferLeader(to);
    this.idleTicks = 0;
    this.wake();
  }

  isLeader(): boolean {
    return this.raw.role === 'leader';
  }

  propose(data: Uint8Array): Proposal {
    if (this.removed) throw new RaftlogError('NOT_LEADER', `group ${this.id} is not hosted here`);
    const { index, term } = this.raw.propose(data);
    this.idleTicks = 0;
    this.wake();
    const applied = new Promise<unknown>((resolve, reject) => {
      (this.waiters ??= new Map()).set(index, { term, resolve, reject });
    });
    const durable = new Promise<void>((resolve) => {
      (this.durableWaiters ??= []).push({ index, resolve });
    });
    // A caller that only waits for durability must not see an unhandled rejection of `applied`.
    applied.catch(() => undefined);
    return { index, term, durable, applied };
  }

  /** Applies committed entries in order; conf changes go to Raft, the rest to the state machine. */
  applyCommitted(entries: readonly Entry[], batch: StorageBatch): (() => void)[] {
    const settle: (() => void)[] = [];
    for (const entry of entries) {
      const result = this.applyOne(entry, batch);
      const waiter = this.waiters?.get(entry.index);
      if (waiter === undefined) continue;
      this.waiters?.delete(entry.index);
      if (waiter.term === entry.term) settle.push(() => waiter.resolve(result));
      else settle.push(() => waiter.reject(overwritten(this.id, entry.index)));
    }
    return settle;
  }

  /** Resolves the durable waiters of entries a Ready just persisted (a replaced entry too: `applied` fails). */
  markDurable(entries: readonly Entry[]): void {
    if (entries.length === 0 || this.durableWaiters === undefined || this.durableWaiters.length === 0) return;
    const first = (entries[0] as Entry).index;
    const still: DurableWaiter[] = [];
    for (const w of this.durableWaiters) {
      if (entries[w.index - first] === undefined) still.push(w);
      else w.resolve();
    }
    this.durableWaiters = still.length > 0 ? still : undefined;
  }

  onApplied(listener: () => void): () => void {
    const listeners = (this.appliedListeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** `listener` runs each time this node stops leading the group (stepped down or deposed). */
  onLeadershipLost(listener: () => void): () => void {
    const listeners = (this.leadershipListeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  get isLeading(): boolean {
    return this.leading;
  }

  /** `listener` runs each time the group's leader or this node's role changes, as a Ready reports it. */
  onLeaderChange(listener: () => void): () => void {
    const listeners = (this.leaderListeners ??= new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** The role a Ready reported; leaving the leader role fails what waits on this node's leadership. */
  noteRole(soft: SoftState): void {
    const was = this.leading;
    this.leading = soft.role === 'leader';
    if (soft.leader !== 0) this.knownLeader = soft.leader;
    if (was && !this.leading) this.leadershipLost();
    if (this.leaderListeners !== undefined) for (const l of [...this.leaderListeners]) l();
  }

  /**
   * This node no longer leads the group: proposals still waiting cannot be answered here any more.
   * Their outcome is unknown (a new leader may still commit an entry that reached a follower), so
   * they fail with a retriable UNAVAILABLE rather than NOT_LEADER, which promises nothing was written.
   */
  private leadershipLost(): void {
    const error = new RaftlogError(
      'UNAVAILABLE',
      `group ${this.id}: this node lost leadership with the write in flight; it may or may not be committed`,
    );
    if (this.waiters !== undefined) for (const w of this.waiters.values()) w.reject(error);
    this.waiters = undefined;
    if (this.leadershipListeners !== undefined) for (const l of this.leadershipListeners) l();
  }

  /**
   * Takes on a leader's snapshot: its state, and the configuration it was taken in, which the next
   * snapshot taken here records (a stale one would come back as this node's membership at restart).
   */
  installSnapshot(snapshot: Snapshot): void {
    this.sm.restore(snapshot);
    this.confState = snapshot.metadata.confState;
  }

  notifyApplied(): void {
    this.sm.afterApply();
    if (this.appliedListeners !== undefined) for (const l of this.appliedListeners) l();
  }

  /** Fails every pending proposal (the group is leaving this node or the node is stopping). */
  failAll(error: RaftlogError): void {
    if (this.waiters !== undefined) for (const w of this.waiters.values()) w.reject(error);
    this.waiters = undefined;
    if (this.durableWaiters !== undefined) for (const w of this.durableWaiters) w.resolve();
    this.durableWaiters = undefined;
    // No Ready reports a step-down from here on: long polls waiting on this leader end now rather
    // than at their timeout (a deleted topic's consumers learn it at once).
    if (this.leading) {
      this.leading = false;
      if (this.leadershipListeners !== undefined) for (const l of this.leadershipListeners) l();
    }
  }

  private applyOne(entry: Entry, batch: StorageBatch): unknown {
    if (entry.type === 'conf-change') {
      this.confState = this.raw.applyConfChange(decodeConfChange(entry.data));
      this.sm.skip(entry.index);
      return this.confState;
    }
    if (entry.data.byteLength === 0) {
      this.sm.skip(entry.index);
      return undefined;
    }
    return this.sm.apply(entry, batch);
  }
}

function overwritten(group: GroupId, index: number): RaftlogError {
  return new RaftlogError('NOT_LEADER', `group ${group}: the entry at ${index} was replaced by a new leader`);
}
