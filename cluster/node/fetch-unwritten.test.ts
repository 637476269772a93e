import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  encodeRecordBatch,
  type GroupId,
  type LogIndex,
  type PartitionId,
  type Term,
} from '../../lib/index.js';
import { PartitionStore, StorageBatch } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import type { RaftGroup } from '../host/index.js';
import { encodePartitionEntry } from '../partition/index.js';
import { fetchLocal } from './partition-ops.js';
import { PartitionReplica, type RangeSource } from './partition-replica.js';

const partition = 3 as PartitionId;
const noSource: RangeSource = {
  fetch: () => {
    throw new Error('no gap fill in this test');
  },
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const entry = (index: number, values: string[]) => ({
  term: 1 as Term,
  index: index as LogIndex,
  type: 'normal' as const,
  data: encodePartitionEntry({
    timestampMs: 1_000,
    command: {
      type: 'append',
      acks: 'quorum',
      batch: encodeRecordBatch({
        timestamp: 1,
        records: values.map((v) => ({ value: new TextEncoder().encode(v) })),
      }),
    },
  }),
});

describe('a read while the applied state is a write ahead of the store', () => {
  it('answers nothing new at the written end instead of skipping what is applied but not written', async () => {
    const rocks = await tempRocks();
    cleanup = rocks.cleanup;
    const store = new PartitionStore(rocks.kv);
    const replica = new PartitionReplica(partition, rocks.kv, store, noSource, pino({ level: 'silent' }));
    await replica.open();
    const written = new StorageBatch();
    replica.apply(entry(1, ['a', 'b']), written);
    await written.commit(rocks.kv, { sync: false });
    // The host applies a cycle's entries, then awaits its write: reads run in between.
    const pending = new StorageBatch();
    replica.apply(entry(2, ['c']), pending);
    const local = { group: { id: 1 as GroupId } as RaftGroup, replica };
    const read = (offset: number) =>
      fetchLocal(store, local, {
        topic: 't',
        partition: 0,
        offset,
        bytesMax: 1 << 20,
        isolation: 'read-uncommitted',
      });

    expect(replica.state.highWatermark).toBe(3);
    const early = await read(2);
    expect(early.records.length).toBe(0);
    expect(early.nextOffset).toBe(2);
    await pending.commit(rocks.kv, { sync: false });
    const later = await read(2);
    expect(later.records.length).toBeGreaterThan(0);
    expect(later.nextOffset).toBe(3);
  });
});
