import { describe, expect, it } from 'vitest';
import { encodeRecordBatch, ManualClock } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import type { LocalPartition } from './partition-ops.js';
import { QueueService } from './queue-service.js';
import type { QueueSettings } from './queue-settings.js';

const settings: QueueSettings = {
  visibilityTimeoutMs: 30_000,
  maxDeliveries: 0,
  deadLetterTopic: '',
  messageTtlMs: 0,
  deadLetterExpired: false,
  orderedByKey: false,
};

/**
 * One partition led here whose queue group has leased nothing; `arrive` appends one message without
 * telling waiters (as if its apply raced the end of a wait). Every proposal is granted.
 */
function emptyPartition(clock: ManualClock) {
  let end = 0;
  let proposals = 0;
  /** The queue group, once made (`makeGroup`): one that leased nothing yet and holds nothing. */
  let queueGroup: object | undefined;
  const appliedListeners = new Set<() => void>();
  const bytes = encodeRecordBatch({ records: [{ value: new Uint8Array([1]) }], timestamp: 0 });
  const replica = {
    state: {
      queues: { group: () => queueGroup },
      logStartOffset: 0,
      get lastStableOffset() {
        return end;
      },
      abortedTransactions: () => [],
    },
    get storedEnd() {
      return end;
    },
    partitionKey: 'jobs/0',
    whenWritten: () => Promise.resolve(),
    activeVersion: () => 1,
  };
  const group = {
    id: 'jobs/0',
    status: () => ({ term: 1 }),
    propose: () => {
      proposals++;
      const granted = [{ offset: 0, leaseId: 1, deliveryCount: 1, expiresAtMs: clock.now() + 30_000 }];
      const applied = Promise.resolve({ ok: true, type: 'queue-leased', granted });
      return { index: 1, term: 1, durable: Promise.resolve(), applied };
    },
    onApplied: (listener: () => void) => {
      appliedListeners.add(listener);
      return () => appliedListeners.delete(listener);
    },
    onLeadershipLost: () => () => undefined,
  };
  const store = {
    read: () => Promise.resolve({ batches: end > 0 ? [bytes] : [], nextOffset: end }),
    info: () => Promise.resolve({ nextOffset: end }),
  } as unknown as PartitionStore;
  const local = { group, replica } as unknown as LocalPartition;
  return {
    local,
    store,
    arrive: () => (end = 1),
    proposals: () => proposals,
    makeGroup: () => (queueGroup = { cursor: 0, pendingCount: 0, settlements: 0, pending: () => [] }),
    /** Applies a deletion of the group: waiters hear of it as of any apply. */
    deleteGroup: () => {
      queueGroup = undefined;
      for (const listener of [...appliedListeners]) listener();
    },
  };
}

const unlimited = () => Promise.resolve({ resizeTo: () => undefined, release: () => undefined });

/** A response budget the test opens: reservations wait until `open`, and what each holds is recorded. */
function gatedBudget() {
  let opened = false;
  const waiting: (() => void)[] = [];
  const held: { bytes: number }[] = [];
  const holdAnswerBytes = async (bytes: number) => {
    if (!opened) await new Promise<void>((resolve) => waiting.push(resolve));
    const hold = { bytes };
    held.push(hold);
    return {
      resizeTo: (n: number) => (hold.bytes = n),
      release: () => (hold.bytes = 0),
    };
  };
  const open = () => {
    opened = true;
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { holdAnswerBytes, open, held, asked: () => waiting.length };
}

const turns = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function serviceOf(clock: ManualClock, partition: ReturnType<typeof emptyPartition>): QueueService {
  return new QueueService({
    leaderOf: () => partition.local,
    ledPartitions: () => [0],
    partitionCount: () => 1,
    settings: () => settings,
    store: partition.store,
    clock,
    checkTransaction: () => Promise.resolve(),
  });
}

describe('queue service', () => {
  it.each([
    ['with nothing new to lease', false],
    ['even when a message arrived with the deletion', true],
  ])('ends a long poll whose queue group was deleted while it waited, %s', async (_, arrives) => {
    const clock = new ManualClock(1_000);
    const partition = emptyPartition(clock);
    partition.makeGroup();
    const service = serviceOf(clock, partition);
    const input = { queue: 'q', topic: 'jobs', partitions: [0], maxMessages: 1, visibilityTimeoutMs: 0 };
    const signal = new AbortController().signal;
    const moveDeadLetters = () => Promise.resolve();
    const leasing = service.lease({
      ...input,
      waitMs: 20_000,
      signal,
      moveDeadLetters,
      holdAnswerBytes: unlimited,
    });
    await turns();
    if (arrives) partition.arrive();
    partition.deleteGroup();
    // Leasing again would make a new group from the log start behind the deleting client's back.
    expect(await leasing).toEqual([]);
    expect(partition.proposals()).toBe(0);
  });

  it('leases nothing for a long poll its consumer cancelled while it waited', async () => {
    const clock = new ManualClock(1_000);
    const partition = emptyPartition(clock);
    const service = serviceOf(clock, partition);
    const cancel = new AbortController();
    const input = { queue: 'q', topic: 'jobs', partitions: [0], maxMessages: 1, visibilityTimeoutMs: 0 };
    const moveDeadLetters = () => Promise.resolve();
    const leasing = service.lease({
      ...input,
      waitMs: 20_000,
      signal: cancel.signal,
      moveDeadLetters,
      holdAnswerBytes: unlimited,
    });
    await turns();
    partition.arrive();
    cancel.abort();
    // The message stays visible to the next consumer rather than leased to one that is gone.
    expect(await leasing).toEqual([]);
    expect(partition.proposals()).toBe(0);
  });

  it('leases nothing until the answer has room in the response budget, then holds what it carries', async () => {
    const clock = new ManualClock(1_000);
    const partition = emptyPartition(clock);
    partition.arrive();
    const service = serviceOf(clock, partition);
    const budget = gatedBudget();
    const input = { queue: 'q', topic: 'jobs', partitions: [0], maxMessages: 10, visibilityTimeoutMs: 0 };
    const moveDeadLetters = () => Promise.resolve();
    const signal = new AbortController().signal;
    const leasing = service.lease({ ...input, waitMs: 0, signal, moveDeadLetters, ...budget });
    await turns();
    // A message is there, but leased before the answer has room it could be stuck unsent.
    expect(budget.asked()).toBe(1);
    expect(partition.proposals()).toBe(0);
    budget.open();
    expect(await leasing).toHaveLength(1);
    expect(partition.proposals()).toBe(1);
    // Asked for the largest answer, kept only the one message's share.
    expect(budget.held).toHaveLength(1);
    expect(budget.held[0]!.bytes).toBeGreaterThan(0);
    expect(budget.held[0]!.bytes).toBeLessThan(1024);
  });

  it('holds no room while a long poll waits for messages', async () => {
    const clock = new ManualClock(1_000);
    const partition = emptyPartition(clock);
    const service = serviceOf(clock, partition);
    const budget = gatedBudget();
    budget.open();
    const input = { queue: 'q', topic: 'jobs', partitions: [0], maxMessages: 10, visibilityTimeoutMs: 0 };
    const moveDeadLetters = () => Promise.resolve();
    const cancel = new AbortController();
    const leasing = service.lease({
      ...input,
      waitMs: 20_000,
      signal: cancel.signal,
      moveDeadLetters,
      ...budget,
    });
    await turns();
    expect(budget.held.map((h) => h.bytes)).toEqual([0]);
    cancel.abort();
    expect(await leasing).toEqual([]);
  });
});
