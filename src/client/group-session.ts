import { RaftlogError } from '../../lib/index.js';
import { sortPartitions } from './assignment-diff.js';
import type { CoordinatorClient } from './coordinator-client.js';
import { delay } from './delay.js';
import { errorFromDetail, toRaftlogError } from './errors.js';
import {
  GroupMembership,
  type GroupMetadata,
  type MemberHooks,
  type RevokeReason,
} from './group-membership.js';
import type { GroupOptions, PartitionsListener, ResolvedGroupOptions } from './group-options.js';
import { OffsetTracker, type PartitionOffset } from './offset-tracker.js';
import type { StartPosition, TopicPartitionRef } from './types.js';

/** How the group session drives the consumer's fetchers. */
export interface PartitionControl {
  partitions(): TopicPartitionRef[];
  start(partitions: readonly (TopicPartitionRef & { from: StartPosition })[]): void;
  /** No record of these partitions is handed out after this resolves. */
  stop(partitions: readonly TopicPartitionRef[]): Promise<void>;
  /** Resolves once no record of these partitions is in the application's hands (or after timeoutMs). */
  released(partitions: readonly TopicPartitionRef[], timeoutMs: number): Promise<void>;
  fail(error: RaftlogError): void;
}

export interface GroupCloseOptions {
  /** Commit processed positions before leaving (always done with autoCommit). */
  readonly commit?: boolean;
}

type Listeners = Pick<GroupOptions, 'onPartitionsAssigned' | 'onPartitionsRevoked' | 'onPartitionsLost'>;

/**
 * A consumer's life in a group: the membership loop's hooks (start from committed offsets, commit
 * before a partition is released), commits of processed positions (one at a time, so an older
 * commit never lands after a newer one), auto-commit, and the orderly close.
 */
export class GroupSession {
  private readonly tracker = new OffsetTracker();
  private readonly membership: GroupMembership;
  private commits: Promise<unknown> = Promise.resolve();
  /** Revocations, assignments and rewinds, one at a time. */
  private changes: Promise<unknown> = Promise.resolve();
  private readonly stopAutoCommit = new AbortController();
  private autoCommitLoop: Promise<void> | undefined;
  private started = false;

  constructor(
    private readonly coordinator: CoordinatorClient,
    private readonly options: ResolvedGroupOptions,
    private readonly listeners: Listeners,
    private readonly control: PartitionControl,
    private readonly requireStable: boolean,
  ) {
    this.membership = new GroupMembership(coordinator, options, this.hooks());
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.membership.start();
    if (this.options.autoCommit) this.autoCommitLoop = this.runAutoCommit();
  }

  joined(): Promise<void> {
    this.start();
    return this.membership.joined();
  }

  metadata(): GroupMetadata {
    return this.membership.metadata();
  }

  /** The application is done with the record at `offset`. */
  processed(tp: TopicPartitionRef, offset: number): void {
    this.tracker.processed(tp, offset);
  }

  /** Commits the given offsets, or every processed position not committed yet; resolves with what was committed. */
  commit(offsets?: readonly PartitionOffset[]): Promise<PartitionOffset[]> {
    if (offsets !== undefined) this.tracker.validate(offsets);
    const run = this.commits.then(() => this.commitNow(offsets ?? this.tracker.uncommitted()));
    this.commits = run.catch(() => undefined);
    return run;
  }

  async close(options: GroupCloseOptions = {}): Promise<void> {
    this.stopAutoCommit.abort();
    await this.membership.halt();
    await this.autoCommitLoop;
    const partitions = this.control.partitions();
    await this.control.stop(partitions);
    try {
      if (this.options.autoCommit || options.commit === true) await this.commit();
      await this.notify(this.listeners.onPartitionsRevoked, partitions);
    } finally {
      for (const tp of partitions) this.tracker.untrack(tp);
      // A static member keeps its place: its restart (same groupInstanceId) takes the partitions back.
      if (this.options.groupInstanceId === '') await this.membership.leave();
    }
  }

  /**
   * Goes back to the committed offsets of every partition consumed (after an aborted transaction,
   * whose offsets were not committed): records after them are read again.
   */
  rewind(): Promise<void> {
    return this.serially(async () => {
      const partitions = this.control.partitions();
      await this.control.stop(partitions);
      for (const tp of partitions) this.tracker.untrack(tp);
      try {
        await this.startFrom(partitions);
      } catch (error) {
        // The coordinator still counts them as ours: a rebalance reports them released and
        // claims them again, so they do not stay unread.
        this.membership.resync();
        throw error;
      }
    });
  }

  private hooks(): MemberHooks {
    return {
      consumed: () => this.control.partitions(),
      revoke: (partitions, reason) => this.serially(() => this.revoke(partitions, reason)),
      assign: (partitions) =>
        this.serially(async () => {
          await this.startFrom(partitions);
          await this.notify(this.listeners.onPartitionsAssigned, partitions);
        }),
      fail: (error) => this.control.fail(error),
    };
  }

  private serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.changes.then(fn);
    this.changes = run.catch(() => undefined);
    return run;
  }

  private async revoke(partitions: readonly TopicPartitionRef[], reason: RevokeReason): Promise<void> {
    await this.control.stop(partitions);
    if (reason === 'lost') {
      for (const tp of partitions) this.tracker.untrack(tp);
      await this.notify(this.listeners.onPartitionsLost ?? this.listeners.onPartitionsRevoked, partitions);
      return;
    }
    await this.control.released(partitions, this.options.releaseWaitMs);
    try {
      if (this.options.autoCommit) await this.commit(this.tracker.uncommitted(partitions));
      await this.notify(this.listeners.onPartitionsRevoked, partitions);
    } finally {
      for (const tp of partitions) this.tracker.untrack(tp);
    }
  }

  /** Starts fetching from the committed offsets (autoOffsetReset where none). */
  private async startFrom(partitions: readonly TopicPartitionRef[]): Promise<void> {
    const committed = await this.fetchCommitted(partitions);
    const reset = this.options.autoOffsetReset;
    const starts = partitions.map((tp) => {
      const offset = committed.get(`${tp.topic}/${tp.partition}`) ?? -1;
      this.tracker.track(tp, offset);
      return { topic: tp.topic, partition: tp.partition, from: offset >= 0 ? offset : reset };
    });
    this.control.start(starts);
  }

  private async fetchCommitted(partitions: readonly TopicPartitionRef[]): Promise<Map<string, number>> {
    return this.coordinator.call(
      async (b, timeoutMs) => {
        const r = await b.fetchOffsets(
          {
            groupId: this.options.groupId,
            partitions: partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
            requireStable: this.requireStable,
          },
          { timeoutMs },
        );
        const out = new Map<string, number>();
        for (const o of r.offsets) {
          // CONCURRENT_TRANSACTIONS (offsets pending in an open transaction) is retried until it ends.
          const error = errorFromDetail(o.error);
          if (error !== undefined) throw error;
          out.set(`${o.topic}/${o.partition}`, Number(o.offset));
        }
        return out;
      },
      { timeoutMs: Math.max(120_000, this.options.rebalanceTimeoutMs) },
    );
  }

  private async commitNow(offsets: readonly PartitionOffset[]): Promise<PartitionOffset[]> {
    if (offsets.length === 0) return [];
    const { generationId, memberId } = this.membership.metadata();
    if (memberId === '')
      throw new RaftlogError('UNKNOWN_MEMBER_ID', 'this consumer is not a group member now');
    await this.coordinator.call(async (b, timeoutMs) => {
      const r = await b.commitOffsets(
        {
          groupId: this.options.groupId,
          generationId,
          memberId,
          offsets: offsets.map((o) => ({
            topic: o.topic,
            partition: o.partition,
            offset: BigInt(o.offset),
            metadata: '',
          })),
        },
        { timeoutMs },
      );
      for (const p of r.results) {
        const error = errorFromDetail(p.error);
        if (error !== undefined) {
          throw new RaftlogError(error.code, `commit of ${p.topic}/${p.partition}: ${error.message}`);
        }
      }
    });
    this.tracker.committed(offsets);
    return [...offsets];
  }

  private async runAutoCommit(): Promise<void> {
    const signal = this.stopAutoCommit.signal;
    while (!signal.aborted) {
      await delay(this.options.autoCommitIntervalMs, signal).catch(() => undefined);
      if (signal.aborted) return;
      // A failed auto-commit is retried next interval; a lost membership is the heartbeat's business.
      await this.commit().catch(() => undefined);
    }
  }

  private async notify(listener: PartitionsListener | undefined, partitions: readonly TopicPartitionRef[]) {
    if (listener === undefined || partitions.length === 0) return;
    try {
      await listener(sortPartitions(partitions));
    } catch (error) {
      // A listener that throws ends the iteration with its error: it must not vanish silently.
      this.control.fail(toRaftlogError(error));
    }
  }
}
