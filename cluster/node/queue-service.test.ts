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
  const bytes = encodeRecordBatch({ records: [{ value: new Uint8Array([1]) }], timestamp: 0 });
  const replica = {
    state: {
      queues: { group: () => undefined },
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
    onApplied: () => () => undefined,
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
  };
}

const turns = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('queue service', () => {
  it('leases nothing for a long poll its consumer cancelled while it waited', async () => {
    const clock = new ManualClock(1_000);
    const partition = emptyPartition(clock);
    const service = new QueueService({
      leaderOf: () => partition.local,
      ledPartitions: () => [0],
      settings: () => settings,
      store: partition.store,
      clock,
      checkTransaction: () => Promise.resolve(),
    });
    const cancel = new AbortController();
    const input = { queue: 'q', topic: 'jobs', partitions: [0], maxMessages: 1, visibilityTimeoutMs: 0 };
    const moveDeadLetters = () => Promise.resolve();
    const leasing = service.lease({ ...input, waitMs: 20_000, signal: cancel.signal, moveDeadLetters });
    await turns();
    partition.arrive();
    cancel.abort();
    // The message stays visible to the next consumer rather than leased to one that is gone.
    expect(await leasing).toEqual([]);
    expect(partition.proposals()).toBe(0);
  });
});
