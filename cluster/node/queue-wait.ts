import { queueLimits } from '../partition/index.js';
import type { NodeClock } from './node-clock.js';
import type { LocalPartition } from './partition-ops.js';

/**
 * Resolves when a lease may find something: new data past a group's scan cursor is applied, a
 * pending message's lease or wait runs out, a message is settled, leadership is lost, `timeoutMs`
 * passes or `signal` aborts.
 */
export async function waitForQueueWork(
  groups: readonly { local: LocalPartition; queue: string }[],
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
  const offs = groups.flatMap(({ local, queue }) => {
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
    const first = sm.queues.group(queue);
    const settlements = first?.settlements ?? 0;
    const settled = (): boolean => {
      const group = sm.queues.group(queue);
      return group !== undefined && (group !== first || group.settlements !== settlements);
    };
    return [
      local.group.onApplied(() => {
        if (hasNew() || settled()) stop.abort();
      }),
      local.group.onLeadershipLost(onAbort),
    ];
  });
  try {
    await clock.sleep(Math.max(1, wakeInMs), stop.signal);
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const off of offs) off();
  }
}
