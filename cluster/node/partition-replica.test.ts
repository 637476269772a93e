import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ManualClock,
  encodeRecordBatch,
  partitionId,
  RecordBatchView,
  type GroupId,
  type LogIndex,
  type Term,
} from '../../lib/index.js';
import type { Entry } from '../../raft/index.js';
import { PartitionStore, RaftLogStore, StorageBatch } from '../../storage/index.js';
import { tempRocks } from '../../storage/test-helpers.js';
import {
  encodePartitionEntry,
  partitionSnapshotLayoutFor,
  partitionSnapshotVersion,
} from '../partition/index.js';
import { PartitionReplica, type RangeSource } from './partition-replica.js';

const key = partitionId(1);
const noSource: RangeSource = {
  fetch: () => {
    throw new Error('no gap fill expected');
  },
};

function appendEntry(index: number, records: number, timestampMs: number): Entry {
  const batch = encodeRecordBatch({
    records: Array.from({ length: records }, (_, i) => ({ value: new Uint8Array(8).fill(i) })),
    timestamp: timestampMs,
  });
  return entry(
    index,
    encodePartitionEntry({ timestampMs, command: { type: 'append', acks: 'quorum', batch } }),
  );
}

function logStartEntry(index: number, offset: number): Entry {
  return entry(
    index,
    encodePartitionEntry({
      timestampMs: 0,
      command: { type: 'set-log-start-offset', logStartOffset: offset },
    }),
  );
}

function entry(index: number, data: Uint8Array): Entry {
  return { index: index as LogIndex, term: 1 as Term, type: 'normal', data };
}

describe('PartitionReplica retention', () => {
  let rocks: Awaited<ReturnType<typeof tempRocks>>;
  beforeEach(async () => {
    rocks = await tempRocks();
  });
  afterEach(() => rocks.cleanup());

  let logs: RaftLogStore;

  async function openReplica(): Promise<{ replica: PartitionReplica; store: PartitionStore }> {
    logs = new RaftLogStore(rocks.kv);
    await logs.load(key as number as GroupId);
    const store = new PartitionStore(rocks.kv, { archive: logs });
    const replica = new PartitionReplica(
      key,
      rocks.kv,
      store,
      noSource,
      pino({ level: 'silent' }),
      new ManualClock(),
      () => 1,
    );
    await replica.open();
    return { replica, store };
  }

  /** Applies `entries` the way one ready cycle does: appended, applied, then stage, then one write. */
  async function cycle(replica: PartitionReplica, entries: readonly Entry[]): Promise<void> {
    const batch = new StorageBatch();
    logs.appendEntries(batch, key as number as GroupId, entries);
    for (const e of entries) replica.apply(e, batch);
    await replica.stage(batch);
    await batch.commit(rocks.kv, { sync: true });
  }

  it('moves the log start into batches appended in the same ready cycle (a replica catching up)', async () => {
    // The state of the replica that was down: 20-record batches up to 2000, log start 1360.
    const { replica, store } = await openReplica();
    let index = 0;
    const before = Array.from({ length: 100 }, () => appendEntry(++index, 20, 1_000));
    await cycle(replica, [...before, logStartEntry(++index, 1_360)]);
    expect((await store.info(key)).logStartOffset).toBe(1_360);
    // On restart it catches up in one cycle: 2000 more offsets, then the leader's retention move to 3360.
    const catchUp = Array.from({ length: 100 }, () => appendEntry(++index, 20, 2_000));
    await cycle(replica, [...catchUp, logStartEntry(++index, 3_360)]);

    const info = await store.info(key);
    expect(info).toMatchObject({ logStartOffset: 3_360, nextOffset: 4_000 });
    const read = await store.read(key, 3_360, 1 << 20);
    const offsets = read.batches.map((b) => new RecordBatchView(b).baseOffset);
    expect(offsets[0]).toBe(3_360);
    expect(offsets[offsets.length - 1]).toBe(3_980);

    // And a restart from this state opens and goes on (the old code crash-looped here).
    const again = await openReplica();
    expect(await again.store.info(key)).toMatchObject({ logStartOffset: 3_360, nextOffset: 4_000 });
  });

  it('lets readers wait for the write of what was applied, which its producer may have heard of', async () => {
    const { replica, store } = await openReplica();
    await replica.whenWritten(); // nothing applied: no wait
    const batch = new StorageBatch();
    const appended = appendEntry(1, 5, 1_000);
    logs.appendEntries(batch, key as number as GroupId, [appended]);
    replica.apply(appended, batch);
    expect(replica.state.highWatermark).toBe(5);
    let woke = false;
    const waiting = replica.whenWritten().then(async () => {
      woke = true;
      return (await store.info(key)).nextOffset;
    });
    await batch.commit(rocks.kv, { sync: true });
    await new Promise((resolve) => setImmediate(resolve));
    // Written, but the host has not said so yet (afterApply follows the write in its cycle).
    expect(woke).toBe(false);
    replica.afterApply();
    expect(await waiting).toBe(5);
    await replica.whenWritten();
  });

  it('stores the append time the leader put in the entry, not the records own timestamps', async () => {
    const { replica, store } = await openReplica();
    const y2001 = Date.UTC(2001, 0, 1);
    const appended = Date.UTC(2030, 0, 1);
    const batch = encodeRecordBatch({ records: [{ value: new Uint8Array(4) }], timestamp: y2001 });
    const data = encodePartitionEntry({
      timestampMs: appended,
      command: { type: 'append', acks: 'quorum', batch },
    });
    await cycle(replica, [entry(1, data)]);
    expect(await store.info(key)).toMatchObject({ maxTimestamp: y2001, maxAppendTimeMs: appended });
    expect(await store.retentionCutoffByAppendTime(key, appended - 3_600_000)).toBe(0);
    expect(await store.retentionCutoffByAppendTime(key, appended + 1)).toBe(1);
  });
});

describe('PartitionReplica snapshot', () => {
  it('asks the active version for every snapshot and writes the layout every node of it reads', async () => {
    const rocks = await tempRocks();
    try {
      const activeVersion = vi.fn(() => 1);
      const store = new PartitionStore(rocks.kv);
      const replica = new PartitionReplica(
        key,
        rocks.kv,
        store,
        noSource,
        pino({ level: 'silent' }),
        new ManualClock(),
        activeVersion,
      );
      await replica.open();
      expect(replica.snapshotData()[0]).toBe(partitionSnapshotLayoutFor(1).version);
      expect(replica.snapshotData()[0]).toBe(partitionSnapshotVersion);
      expect(activeVersion).toHaveBeenCalledTimes(2);
    } finally {
      await rocks.cleanup();
    }
  });
});
