import { RaftlogError } from '../../lib/index.js';
import type { TopicPartitionRef } from './types.js';

/** Called with partitions sorted by topic, then partition. */
export type PartitionsListener = (partitions: readonly TopicPartitionRef[]) => void | Promise<void>;

/** Group mode of the Consumer (see README: the client loop of the group protocol). */
export interface GroupOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  /** The coordinator removes the member after this long without a heartbeat (default 10 s). */
  readonly sessionTimeoutMs?: number;
  /**
   * The coordinator expires a member that holds a moved partition longer than this (default 60 s; 0:
   * the session timeout). A revocation waits for the records in the application's hands at most this
   * less two heartbeat intervals.
   */
  readonly rebalanceTimeoutMs?: number;
  /** Static membership: a stable name per instance (pod, host); a restart takes its partitions back. */
  readonly groupInstanceId?: string;
  /** Shown by DescribeGroups (default "raftlog-ts"). */
  readonly clientId?: string;
  /** Commit processed positions every autoCommitIntervalMs, before a revocation and on close (default false). */
  readonly autoCommit?: boolean;
  readonly autoCommitIntervalMs?: number;
  /** Where a partition without a committed offset starts (default 'earliest'). */
  readonly autoOffsetReset?: 'earliest' | 'latest';
  readonly onPartitionsAssigned?: PartitionsListener;
  /** Before a partition is released: committing here still works for it. Also on close. */
  readonly onPartitionsRevoked?: PartitionsListener;
  /** The member was expired: its partitions already belong to others, so nothing may be committed. */
  readonly onPartitionsLost?: PartitionsListener;
}

export interface ResolvedGroupOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  readonly rebalanceTimeoutMs: number;
  /** How long a revocation waits for records in the application's hands (see resolveGroupOptions). */
  readonly releaseWaitMs: number;
  readonly groupInstanceId: string;
  readonly clientId: string;
  readonly autoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly autoOffsetReset: 'earliest' | 'latest';
}

/** Bounds on group settings; the coordinator applies its own as well. */
export const groupLimits = {
  groupIdCharsMax: 255,
  topicsMax: 1_000,
  sessionTimeoutMsMin: 500,
  sessionTimeoutMsMax: 3_600_000,
  rebalanceTimeoutMsMax: 3_600_000,
  autoCommitIntervalMsMin: 10,
  autoCommitIntervalMsMax: 3_600_000,
} as const;

/** Validates group settings and fills in defaults; every problem is reported at once. */
export function resolveGroupOptions(o: GroupOptions): ResolvedGroupOptions {
  const problems: string[] = [];
  const limits = groupLimits;
  const name = (what: string, v: string): void => {
    if (v.length === 0 || v.length > limits.groupIdCharsMax) {
      problems.push(`${what} must have 1..${limits.groupIdCharsMax} characters`);
    }
  };
  const within = (what: string, v: number, min: number, max: number): number => {
    if (!Number.isSafeInteger(v) || v < min || v > max)
      problems.push(`${what} must be in [${min}, ${max}], got ${v}`);
    return v;
  };
  name('groupId', o.groupId);
  if (o.groupInstanceId !== undefined) name('groupInstanceId', o.groupInstanceId);
  if (o.topics.length === 0 || o.topics.length > limits.topicsMax) {
    problems.push(`topics must list 1..${limits.topicsMax} topics`);
  }
  for (const t of o.topics) if (t.length === 0) problems.push('topics must not contain an empty name');
  const sessionTimeoutMs = within(
    'sessionTimeoutMs',
    o.sessionTimeoutMs ?? 10_000,
    limits.sessionTimeoutMsMin,
    limits.sessionTimeoutMsMax,
  );
  const rebalanceTimeoutMs = within(
    'rebalanceTimeoutMs',
    o.rebalanceTimeoutMs ?? 60_000,
    0,
    limits.rebalanceTimeoutMsMax,
  );
  const autoCommitIntervalMs = within(
    'autoCommitIntervalMs',
    o.autoCommitIntervalMs ?? 5_000,
    limits.autoCommitIntervalMsMin,
    limits.autoCommitIntervalMsMax,
  );
  const reset = o.autoOffsetReset ?? 'earliest';
  if (reset !== 'earliest' && reset !== 'latest') problems.push(`autoOffsetReset must be earliest or latest`);
  if (problems.length > 0)
    throw new RaftlogError('INVALID_ARGUMENT', `group options: ${problems.join('; ')}`);
  // A third of the session: two heartbeats may be lost before the coordinator gives up on us.
  const heartbeatIntervalMs = Math.max(1, Math.floor(sessionTimeoutMs / 3));
  // The coordinator expires a member that has not released a moved partition within its rebalance
  // timeout (the session timeout when 0), counted from the move: the member learns of the move up to
  // a heartbeat later and still has to commit and report the release, so it waits less.
  const releaseBudgetMs = rebalanceTimeoutMs > 0 ? rebalanceTimeoutMs : sessionTimeoutMs;
  return {
    groupId: o.groupId,
    topics: [...new Set(o.topics)],
    sessionTimeoutMs,
    heartbeatIntervalMs,
    rebalanceTimeoutMs,
    releaseWaitMs: Math.max(0, releaseBudgetMs - 2 * heartbeatIntervalMs),
    groupInstanceId: o.groupInstanceId ?? '',
    clientId: o.clientId ?? 'raftlog-ts',
    autoCommit: o.autoCommit ?? false,
    autoCommitIntervalMs,
    autoOffsetReset: reset,
  };
}
