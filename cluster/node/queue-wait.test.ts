import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../lib/index.js';
import { QueueBook, type QueueLeaseCommand, type QueueSettleCommand } from '../partition/index.js';
import type { LocalPartition } from './partition-ops.js';
import { markQueues, waitForQueueWork } from './queue-wait.js';

/** One partition holding message 0, leased to a consumer for a minute, and nothing past it. */
function leasedPartition() {
  const book = new QueueBook();
  const lease: QueueLeaseCommand = {
    type: 'queue-lease',
    queue: 'q',
    fromCursor: 0,
    scanTo: 1,
    leaseMs: 60_000,
    grants: [{ offset: 0, appendTimeMs: 0, key: null, deadLetter: false }],
    waiting: [],
    drops: [],
  };
  book.lease(lease, 0, 0, 1);
  const state = { queues: book, lastStableOffset: 1, logStartOffset: 0 };
  const listeners = new Set<() => void>();
  const local = {
    group: {
      onApplied: (listener: () => void) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onLeadershipLost: () => () => undefined,
    },
    replica: { state },
  } as unknown as LocalPartition;
  const apply = (command: QueueSettleCommand): void => {
    book.settle(command, 0);
    for (const listener of listeners) listener();
  };
  /** A record committed past the scan cursor. */
  const append = (): void => {
    state.lastStableOffset++;
    for (const listener of listeners) listener();
  };
  return { local, apply, append };
}

const nack = {
  type: 'queue-settle' as const,
  queue: 'q',
  producerId: -1,
  producerEpoch: -1,
  ops: [{ kind: 'nack' as const, offset: 0, leaseId: 1, ms: 0, error: '' }],
};

/** Starts a wait with marks taken before `meanwhile` (what a lease round's time let happen). */
async function waitAfter(meanwhile: (p: ReturnType<typeof leasedPartition>) => void) {
  const partition = leasedPartition();
  const groups = [{ local: partition.local, queue: 'q' }];
  const marks = markQueues(groups);
  meanwhile(partition);
  const clock = new ManualClock(0);
  let woke = false;
  const waiting = waitForQueueWork(groups, marks, clock, 20_000, new AbortController().signal);
  void waiting.then(() => (woke = true));
  await turns();
  const before = woke;
  clock.advance(20_000);
  await waiting;
  return before;
}

const turns = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('waiting for queue work', () => {
  it('ends when another consumer nacks a message, not when the nacked lease would have run out', async () => {
    const { local, apply } = leasedPartition();
    const clock = new ManualClock(0);
    let woke = false;
    const groups = [{ local, queue: 'q' }];
    const waiting = waitForQueueWork(groups, markQueues(groups), clock, 20_000, new AbortController().signal);
    void waiting.then(() => (woke = true));
    await turns();
    expect(woke).toBe(false);
    apply(nack);
    await turns();
    expect(woke).toBe(true);
    clock.advance(20_000);
    await waiting;
  });

  it('ends at once for a nack or new data applied while the lease round ran, before it waited', async () => {
    expect(await waitAfter(({ apply }) => apply(nack))).toBe(true);
    expect(await waitAfter(({ append }) => append())).toBe(true);
    // Nothing since the marks: it waits (for the 20 s the test then lets pass).
    expect(await waitAfter(() => undefined)).toBe(false);
  });
});
