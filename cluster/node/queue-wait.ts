import { queueLimits, type QueueBook } from '../partition/index.js';
import type { NodeClock } from './node-clock.js';
import type { LocalPartition } from './partition-ops.js';

/** What a waiter compares against: a group's settlements and its partition's end as a lease round began. */
export interface QueueMark {
  readonly group: ReturnType<QueueBook['group']>;
  readonly settlements: number;
  readonly lastStableOffset: number;
}

type WaitedGroup = { readonly local: LocalPartition; readonly queue: string };

/** Taken before a lease round, so a settlement applied while the round ran still wakes its wait. */
export function markQueues(groups: readonly WaitedGroup[]): QueueMark[] {
  return groups.map(({ local, queue }) => {
    const sm = local.replica.state;
    const group = sm.queues.group(queue);
    return { group, settlements: group?.settlements ?? 0, lastStableOffset: sm.lastStableOffset };
  });
}

/**
 * Resolves when a lease may find something: new data past a group's scan cursor is applied, a
 * pending message's lease or wait runs out, a message is settled after `marks` were taken (at once if
 * that happened already, or data arrived while the last round ran), leadership is lost, `timeoutMs`
 * passes or `signal` aborts.
 */
export async function waitForQueueWork(
  groups: readonly WaitedGroup[],
  marks: readonly QueueMark[],
  clock: NodeClock,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const nowMs = clock.now();
  let wakeInMs = timeoutMs;
  for (const { local, queue } of groups) {
    for (const p of local.replica.state.queues.group(queue)?.pending() ?? []) {
      if (p.state !== 'txn-acked' && p.untilMs > nowMs) wakeInMs = Math.min(wakeInMs, p.untilMs - nowMs);
    }
  }
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const checks = groups.map((g, i) => workArrived(g, marks[i]));
  const offs = groups.flatMap(({ local }, i) => [
    local.group.onApplied(() => {
      if (checks[i]!.onApply()) stop.abort();
    }),
    local.group.onLeadershipLost(onAbort),
  ]);
  // Applied while the round ran, before the listeners above were there.
  if (checks.some((check) => check.sinceMark())) stop.abort();
  try {
    await clock.sleep(Math.max(1, wakeInMs), stop.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}

/**
 * Whether an apply brought the group new data to scan or a settlement; and whether that happened
 * since `mark` already. New data counts there only if it came after the mark: data the round saw but
 * could not read yet (applied entries reach the store one write later) would plan again for nothing.
 */
function workArrived(
  { local, queue }: WaitedGroup,
  mark: QueueMark | undefined,
): { onApply: () => boolean; sinceMark: () => boolean } {
  const sm = local.replica.state;
  // New data wakes a waiter only while the group has room for it: a full group would be planned
  // again on every apply and still lease nothing.
  const hasNew = (): boolean => {
    const group = sm.queues.group(queue);
    const room = (group?.pendingCount ?? 0) < queueLimits.pendingMax;
    return room && sm.lastStableOffset > (group?.cursor ?? sm.logStartOffset);
  };
  // A settlement can make a message leasable before the wake computed above: a nack or a shorter
  // extend by another consumer, an aborted transaction's acks, an ack freeing a key's next message.
  const first = mark?.group;
  const settlements = mark?.settlements ?? 0;
  const settled = (): boolean => {
    const group = sm.queues.group(queue);
    // A group deleted (or deleted and made again) ends the wait too.
    return group !== first || (group !== undefined && group.settlements !== settlements);
  };
  const grew = (): boolean => mark === undefined || sm.lastStableOffset > mark.lastStableOffset;
  return { onApply: () => hasNew() || settled(), sinceMark: () => settled() || (grew() && hasNew()) };
}
