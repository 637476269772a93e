import fc from 'fast-check';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ManualClock,
  crc32c,
  decodeRecords,
  encodeRecordBatch,
  type GroupId,
  type LogIndex,
  type PartitionId,
  type Term,
} from '../../lib/index.js';
import { PartitionStore, RaftLogStore, StorageBatch } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import { encodePartitionEntry } from '../partition/index.js';
import type { RaftGroup } from '../host/index.js';
import { fetchLocal, listOffsetLocal } from './partition-ops.js';
import { PartitionReplica, type RangeSource } from './partition-replica.js';

const partition = 7 as PartitionId;
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

async function openReplica() {
  const rocks = await tempRocks();
  cleanup = rocks.cleanup;
  const store = new PartitionStore(rocks.kv);
  const replica = new PartitionReplica(
    partition,
    rocks.kv,
    store,
    noSource,
    pino({ level: 'silent' }),
    new ManualClock(),
    () => 1,
  );
  await replica.open();
  const logs = new RaftLogStore(rocks.kv);
  await logs.load(partition as number as GroupId);
  let index = 0;
  /**
   * Appends one committed entry to the Raft log and applies it into `batch`, as the host's ready
   * cycle does before its write (stored batches refer to their entries).
   */
  const stage = (data: Uint8Array, batch: StorageBatch) => {
    index++;
    const entry = { term: 1 as Term, index: index as LogIndex, type: 'normal' as const, data };
    logs.appendEntries(batch, partition as number as GroupId, [entry]);
    return replica.apply(entry, batch);
  };
  /** Writes a cycle's batch and tells the replica, as the host does after its write. */
  const write = async (batch: StorageBatch) => {
    await batch.commit(rocks.kv, { sync: false });
    replica.afterApply();
  };
  /** Applies one committed entry and persists what it stored. */
  const apply = async (data: Uint8Array) => {
    const batch = new StorageBatch();
    const result = stage(data, batch);
    await write(batch);
    return result;
  };
  return { replica, store, apply, stage, write };
}

const appendEntry = (batch: Uint8Array) =>
  encodePartitionEntry({ timestampMs: 1_000, command: { type: 'append', acks: 'quorum', batch } });

function hugeTimestampBatch(): Uint8Array {
  const bytes = encodeRecordBatch({ timestamp: 1, records: [{ value: new Uint8Array([1]) }] });
  const view = new DataView(bytes.buffer);
  for (const at of [23, 31]) view.setUint32(at, 2 ** 28);
  view.setUint32(13, crc32c(bytes, 0, 17, bytes.length));
  return bytes;
}

describe('a partition replica applying committed entries', () => {
  it('rejects a committed batch with 2^60 timestamps instead of failing to store it, then goes on', async () => {
    const { replica, store, apply } = await openReplica();
    expect(await apply(appendEntry(hugeTimestampBatch()))).toMatchObject({
      ok: false,
      code: 'CORRUPT_MESSAGE',
    });
    const good = encodeRecordBatch({ timestamp: 5, records: [{ value: new Uint8Array([2]) }] });
    expect(await apply(appendEntry(good))).toMatchObject({ ok: true, baseOffset: 0 });
    expect(replica.state.appliedIndex).toBe(2);
    expect((await store.load(partition)).nextOffset).toBe(1);
  });

  it('never throws on any entry bytes, and stores only what reads back', async () => {
    const { apply, store } = await openReplica();
    const good = encodeRecordBatch({
      timestamp: 5,
      records: [{ value: new Uint8Array([3]) }, { value: null }],
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        async (edits) => {
          const bytes = good.slice();
          for (const [pos, value] of edits) bytes[pos % bytes.length] = value;
          const view = new DataView(bytes.buffer);
          view.setUint32(13, crc32c(bytes, 0, 17, bytes.length));
          await apply(appendEntry(bytes));
        },
      ),
      { numRuns: 300 },
    );
    const info = await store.load(partition);
    const read = await store.read(partition, 0, 1 << 20);
    expect(read.batches.length).toBeGreaterThan(0);
    for (const b of read.batches) expect(() => decodeRecords(b)).not.toThrow();
    expect(info.nextOffset).toBeGreaterThan(0);
  });
});

describe('a read while the applied state is a write ahead of the store', () => {
  const values = (...vs: string[]) =>
    appendEntry(
      encodeRecordBatch({ timestamp: 1, records: vs.map((v) => ({ value: new TextEncoder().encode(v) })) }),
    );

  it('waits for the write in flight instead of skipping what is applied but not written', async () => {
    const { replica, store, apply, stage, write } = await openReplica();
    await apply(values('a', 'b'));
    // The host applies a cycle's entries, then awaits its write: reads run in between.
    const pending = new StorageBatch();
    stage(values('c'), pending);
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
    // Its producer may have heard of offset 2 already: the read waits for the write, not answering "nothing new".
    let answered = false;
    const early = read(2).then((r) => {
      answered = true;
      return r;
    });
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    expect((await read(0)).nextOffset).toBe(2);
    await write(pending);
    expect((await early).records.length).toBeGreaterThan(0);
    expect((await early).nextOffset).toBe(3);
  });
});

describe('a timestamp lookup under read_committed', () => {
  const at = (timestamp: number, producer = {}) =>
    appendEntry(encodeRecordBatch({ timestamp, records: [{ value: new Uint8Array([1]) }], ...producer }));

  it('finds no offset at or past the last stable offset, as a read_committed fetch reads none there', async () => {
    const { replica, store, apply } = await openReplica();
    await apply(at(100));
    const open = { producerId: 5, producerEpoch: 0, baseSequence: 0, transactional: true };
    await apply(at(200, open));
    await apply(at(300));
    expect(replica.state.lastStableOffset).toBe(1);
    const local = { group: { id: 1 as GroupId } as RaftGroup, replica };
    const lookup = (timestampMs: number, isolation: 'read-committed' | 'read-uncommitted') =>
      listOffsetLocal(store, local, { topic: 't', partition: 0, spec: 'timestamp', timestampMs, isolation });

    expect(await lookup(50, 'read-committed')).toEqual({ offset: 0, timestampMs: 100 });
    expect(await lookup(150, 'read-committed')).toEqual({ offset: -1, timestampMs: -1 });
    expect(await lookup(250, 'read-committed')).toEqual({ offset: -1, timestampMs: -1 });
    expect(await lookup(150, 'read-uncommitted')).toEqual({ offset: 1, timestampMs: 200 });
    expect(await lookup(250, 'read-uncommitted')).toEqual({ offset: 2, timestampMs: 300 });
  });
});
