import { RaftlogError } from '../../lib/index.js';
import { Assignor } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { diffAssignment, samePartitions } from './assignment-diff.js';
import type { CoordinatorClient } from './coordinator-client.js';
import { delay } from './delay.js';
import { toRaftlogError } from './errors.js';
import type { ResolvedGroupOptions } from './group-options.js';
import { backoffMs, defaultRetryOptions } from './retry-policy.js';
import type { TopicPartitionRef } from './types.js';

/** Why partitions stop being consumed. */
export type RevokeReason = 'rebalance' | 'lost' | 'close';

/** What the membership loop asks of the consumer it drives. */
export interface MemberHooks {
  /** The partitions consumed right now (fetching, buffered or in the application's hands). */
  consumed(): TopicPartitionRef[];
  /** Stops consuming them; for 'rebalance' and 'close' their offsets are committed first when committing is on. */
  revoke(partitions: readonly TopicPartitionRef[], reason: RevokeReason): Promise<void>;
  /** Starts consuming them from the group's committed offsets. */
  assign(partitions: readonly TopicPartitionRef[]): Promise<void>;
  /** The membership cannot go on (bad settings, a server without groups). */
  fail(error: RaftlogError): void;
}

export interface GroupMetadata {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
}

/** Rounds of SyncGroup in one rebalance before the loop waits for the next heartbeat to try again. */
const syncRoundsMax = 5;

/**
 * The client loop of the group protocol (see README). A rebalance is: JoinGroup with the known
 * member id (learns the generation), SyncGroup reporting what is consumed, revoke what the answer
 * leaves out, and SyncGroup again reporting the answer, which releases the revoked partitions and
 * claims the new ones; the new ones start once an answer equals what was reported. Partitions kept
 * are consumed the whole time. Heartbeats run on their own loop, also during a slow revocation, and
 * one REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID starts the next rebalance.
 */
export class GroupMembership {
  private memberId = '';
  private generationId = -1;
  private stopped = false;
  private rebalanceWanted = true;
  private lost = false;
  private rebalancing = false;
  /** Grows when a rebalance starts: heartbeat answers older than it are stale. */
  private rebalanceSeq = 0;
  private readonly stop = new AbortController();
  private wakeRebalance: (() => void) | undefined;
  private loops: Promise<void>[] = [];
  private firstSync: Promise<void>;
  private firstSyncDone!: () => void;

  constructor(
    private readonly coordinator: CoordinatorClient,
    private readonly options: ResolvedGroupOptions,
    private readonly hooks: MemberHooks,
  ) {
    this.firstSync = new Promise((resolve) => (this.firstSyncDone = resolve));
  }

  start(): void {
    if (this.loops.length > 0) return;
    this.loops = [this.rebalanceLoop(), this.heartbeatLoop()];
  }

  /** Resolves once the first rebalance has given this member its partitions (or the loop stopped). */
  joined(): Promise<void> {
    return this.firstSync;
  }

  metadata(): GroupMetadata {
    return { groupId: this.options.groupId, generationId: this.generationId, memberId: this.memberId };
  }

  /** Ends both loops; a rebalance under way finishes its current step first. */
  async halt(): Promise<void> {
    this.stopped = true;
    this.stop.abort();
    this.wakeRebalance?.();
    await Promise.all(this.loops);
    this.firstSyncDone();
  }

  /** LeaveGroup, so the partitions move at once instead of after the session timeout. */
  async leave(): Promise<void> {
    if (this.memberId === '') return;
    const memberId = this.memberId;
    this.memberId = '';
    await this.coordinator.call(
      (b, timeoutMs) => b.leaveGroup({ groupId: this.options.groupId, memberId }, { timeoutMs }),
      { timeoutMs: Math.min(10_000, this.options.sessionTimeoutMs) },
    );
  }

  /** Runs a rebalance soon, whatever the heartbeats say (what is consumed changed locally). */
  resync(): void {
    this.requestRebalance();
  }

  private requestRebalance(): void {
    this.rebalanceWanted = true;
    this.wakeRebalance?.();
  }

  private async rebalanceLoop(): Promise<void> {
    for (let failures = 0; !this.stopped;) {
      if (!this.rebalanceWanted) {
        await new Promise<void>((resolve) => (this.wakeRebalance = resolve));
        this.wakeRebalance = undefined;
        continue;
      }
      this.rebalanceWanted = false;
      this.rebalancing = true;
      this.rebalanceSeq++;
      try {
        await this.rebalance();
        failures = 0;
        this.firstSyncDone();
      } catch (thrown) {
        if (this.stopped) return;
        const error = toRaftlogError(thrown);
        if (!this.onGroupError(error)) {
          this.finish(error);
          return;
        }
        this.rebalanceWanted = true;
        await this.pause(backoffMs(failures++, defaultRetryOptions));
      } finally {
        this.rebalancing = false;
      }
    }
  }

  private async rebalance(): Promise<void> {
    if (this.lost) {
      // Expired by the coordinator: the partitions may already be consumed elsewhere, so nothing is
      // committed for them, and the member joins afresh.
      this.lost = false;
      this.memberId = '';
      this.generationId = -1;
      await this.hooks.revoke(this.hooks.consumed(), 'lost');
    }
    await this.join();
    let reported = this.hooks.consumed();
    for (let round = 0; round < syncRoundsMax && !this.stopped; round++) {
      const answer = await this.sync(reported);
      const diff = diffAssignment(this.hooks.consumed(), answer);
      if (diff.revoke.length > 0) await this.hooks.revoke(diff.revoke, 'rebalance');
      if (samePartitions(answer, reported)) {
        if (diff.add.length > 0) await this.hooks.assign(diff.add);
        return;
      }
      // Reporting the answer releases what was revoked and claims what is new before it starts.
      reported = answer;
    }
    if (!this.stopped) this.rebalanceWanted = true;
  }

  private async join(): Promise<void> {
    const o = this.options;
    const r = await this.coordinator.call(
      (b, timeoutMs) =>
        b.joinGroup(
          {
            groupId: o.groupId,
            memberId: this.memberId,
            clientId: o.clientId,
            sessionTimeoutMs: o.sessionTimeoutMs,
            rebalanceTimeoutMs: o.rebalanceTimeoutMs,
            topics: [...o.topics],
            assignor: Assignor.STICKY,
            groupInstanceId: o.groupInstanceId,
          },
          { timeoutMs },
        ),
      { signal: this.stop.signal },
    );
    if (r.memberId === '') throw new RaftlogError('INTERNAL', 'JoinGroup answered without a member id');
    this.memberId = r.memberId;
    this.generationId = r.generationId;
  }

  private async sync(owned: readonly TopicPartitionRef[]): Promise<TopicPartitionRef[]> {
    const r = await this.coordinator.call(
      (b, timeoutMs) =>
        b.syncGroup(
          {
            groupId: this.options.groupId,
            generationId: this.generationId,
            memberId: this.memberId,
            owned: owned.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
          },
          { timeoutMs },
        ),
      { signal: this.stop.signal },
    );
    return r.assignment.map((tp) => ({ topic: tp.topic, partition: tp.partition }));
  }

  private async heartbeatLoop(): Promise<void> {
    while (!this.stopped) {
      await this.pause(this.options.heartbeatIntervalMs);
      if (this.stopped || this.memberId === '') continue;
      const seq = this.rebalanceSeq;
      const during = this.rebalancing;
      const memberId = this.memberId;
      try {
        await this.coordinator.call(
          (b, timeoutMs) =>
            b.heartbeat(
              { groupId: this.options.groupId, generationId: this.generationId, memberId },
              { timeoutMs },
            ),
          { timeoutMs: this.options.heartbeatIntervalMs, signal: this.stop.signal },
        );
      } catch (thrown) {
        if (this.stopped) return;
        // An answer to a heartbeat sent during or before the latest rebalance says nothing new.
        if (during || seq !== this.rebalanceSeq || memberId !== this.memberId) continue;
        const error = toRaftlogError(thrown);
        if (!this.onGroupError(error)) {
          this.finish(error);
          return;
        }
      }
    }
  }

  /** Stops both loops after an error that retrying cannot cure, and hands it to the consumer. */
  private finish(error: RaftlogError): void {
    this.stopped = true;
    this.stop.abort();
    this.wakeRebalance?.();
    this.firstSyncDone();
    this.hooks.fail(error);
  }

  /** Reacts to a failed group call; false when the error is final for this consumer. */
  private onGroupError(error: RaftlogError): boolean {
    switch (error.code) {
      case 'UNKNOWN_MEMBER_ID':
        this.lost = true;
        this.requestRebalance();
        return true;
      case 'REBALANCE_IN_PROGRESS':
      case 'ILLEGAL_GENERATION':
        this.requestRebalance();
        return true;
      case 'CANCELLED':
        return this.stopped;
      default:
        // Retriable failures (coordinator moving, timeouts) were retried up to the call deadline.
        return error.retriable;
    }
  }

  private async pause(ms: number): Promise<void> {
    await delay(ms, this.stop.signal).catch(() => undefined);
  }
}
