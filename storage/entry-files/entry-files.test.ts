import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CorruptionError, groupId, logIndex, term } from '../../lib/index.js';
import type { Entry } from '../../raft/log-types.js';
import { MemoryKvStore, RocksKvStore, type KvStore } from '../kv/index.js';
import { RaftLogStore } from '../raft-log-store.js';
import { StorageBatch } from '../storage-batch.js';
import { EntryFiles } from './entry-files.js';
import { FsSegmentFiles } from './fs-segment-files.js';
import { MemorySegmentFiles } from './memory-segment-files.js';

const g1 = groupId(1);
const g2 = groupId(2);

/** Entry `i` carries `bytes` bytes, each (i + tag) & 0xff, so a mix-up shows. */
function entry(i: number, bytes: number, t = 1, tag = 0): Entry {
  return {
    index: logIndex(i),
    term: term(t),
    type: 'normal',
    data: new Uint8Array(bytes).fill((i + tag) & 0xff),
  };
}

function range(from: number, to: number, bytes: number, t = 1, tag = 0): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, k) => entry(from + k, bytes, t, tag));
}

async function append(kv: KvStore, log: RaftLogStore, group: typeof g1, es: readonly Entry[]): Promise<void> {
  const batch = new StorageBatch();
  log.appendEntries(batch, group, es);
  await batch.commit(kv);
}

describe('EntryFiles on disk', () => {
  let dir: string;
  let kv: RocksKvStore;
  let files: EntryFiles;
  let log: RaftLogStore;

  async function open(): Promise<void> {
    kv = await RocksKvStore.open(join(dir, 'db'));
    files = await EntryFiles.open(await FsSegmentFiles.open(join(dir, 'entries')), {
      segmentBytesMax: 10_000,
      inlineBytesMax: 100,
    });
    log = new RaftLogStore(kv, { files });
  }

  async function close(): Promise<void> {
    await files.close();
    await kv.close();
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlog-entry-files-'));
    await open();
  });
  afterEach(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps large entries in segment files and small ones inline, and reads both back after a restart', async () => {
    await log.load(g1);
    // 1..20 of 3,000 bytes fill a new segment every 4 entries; 21..30 stay inline.
    await append(kv, log, g1, range(1, 20, 3000));
    await append(kv, log, g1, range(21, 30, 50));
    expect(files.segmentIds).toEqual([1, 2, 3, 4, 5]);
    await close();
    await open();
    const state = await log.load(g1);
    expect(state.lastIndex).toBe(30);
    // A restart places into a new segment: nothing is written into one a crash may have cut.
    await append(kv, log, g1, range(31, 31, 3000));
    expect(files.segmentIds).toEqual([1, 2, 3, 4, 5, 6]);
    const read = await log.entries(g1, logIndex(1), logIndex(32), Number.MAX_SAFE_INTEGER);
    expect(read.map((e) => e.index)).toEqual(range(1, 31, 0).map((e) => e.index));
    read.forEach((e, k) => expect(e.data).toEqual(entry(k + 1, k < 20 || k === 30 ? 3000 : 50).data));
    expect(await log.term(g1, logIndex(7))).toBe(1);
    // A byte budget counts the data, wherever it lives: 3 entries of 3,000 fit in 9,000.
    expect(await log.entries(g1, logIndex(1), logIndex(31), 9000)).toHaveLength(3);
  });

  it('reports a flipped byte in a segment as corruption', async () => {
    await log.load(g1);
    await append(kv, log, g1, range(1, 3, 3000));
    const path = join(dir, 'entries', '0000000000000001.entries');
    const bytes = await readFile(path);
    bytes[3000 + 17]! ^= 0x01;
    await writeFile(path, bytes);
    await expect(log.entries(g1, logIndex(1), logIndex(2), 1e9)).resolves.toHaveLength(1);
    await expect(log.entries(g1, logIndex(2), logIndex(3), 1e9)).rejects.toThrow(CorruptionError);
  });

  it('replaces a conflicting suffix with entries placed later', async () => {
    await log.load(g1);
    await append(kv, log, g1, range(1, 6, 3000, 1));
    await append(kv, log, g1, range(4, 5, 3000, 2, 7));
    const read = await log.entries(g1, logIndex(1), logIndex(6), 1e9);
    expect(read.map((e) => e.term)).toEqual([1, 1, 1, 2, 2]);
    expect(read[3]!.data).toEqual(entry(4, 3000, 2, 7).data);
    expect((await log.load(g1)).lastIndex).toBe(5);
  });

  it('removes the segments below every group first stored entry, and no other', async () => {
    await log.load(g1);
    await log.load(g2);
    await append(kv, log, g1, range(1, 8, 3000)); // segments 1, 2
    await append(kv, log, g2, range(1, 8, 3000)); // segments 3, 4
    await append(kv, log, g1, range(9, 12, 3000)); // segment 5
    expect(await log.collectEntryFiles()).toEqual([]);
    const compact = async (group: typeof g1, index: number) => {
      const batch = new StorageBatch();
      await log.compactPrefix(batch, group, logIndex(index));
      await batch.commit(kv);
    };
    await compact(g1, 8);
    // g2 still starts in segment 3: 1 and 2 go, 3 and 4 stay.
    expect(await log.collectEntryFiles()).toEqual([1, 2]);
    await compact(g2, 8);
    expect(await log.collectEntryFiles()).toEqual([3, 4]);
    expect(files.segmentIds).toEqual([5]);
    const read = await log.entries(g1, logIndex(9), logIndex(13), 1e9);
    read.forEach((e, k) => expect(e.data).toEqual(entry(k + 9, 3000).data));
  });

  it('a group whose stored entries are all inline holds back no segment', async () => {
    await log.load(g1);
    await log.load(g2);
    await append(kv, log, g2, range(1, 3, 10)); // inline, before any segment
    await append(kv, log, g1, range(1, 12, 3000)); // segments 1, 2, 3
    const batch = new StorageBatch();
    await log.compactPrefix(batch, g1, logIndex(11));
    await batch.commit(kv);
    expect(await log.collectEntryFiles()).toEqual([1, 2]);
  });

  it('keeps the data of entries below a conflicting append and drops what it replaced', async () => {
    await log.load(g1);
    await log.load(g2);
    await append(kv, log, g2, range(1, 4, 3000)); // segment 1, which g2 keeps until the end
    await append(kv, log, g1, range(1, 8, 3000)); // segments 2, 3
    await append(kv, log, g1, range(5, 12, 3000, 2)); // replaces 5..8: segments 4, 5
    const compact = async (group: typeof g1, index: number) => {
      const batch = new StorageBatch();
      await log.compactPrefix(batch, group, logIndex(index));
      await batch.commit(kv);
    };
    // g1 starts at 3 (segment 2, below its runs from 5 on): nothing of g1 may go.
    await compact(g1, 2);
    await compact(g2, 3);
    expect(await log.collectEntryFiles()).toEqual([]);
    // From 6 on, g1's data is in the runs that began at 5 (segments 4, 5): 2 and 3 hold only
    // deleted entries and the replaced 5..8.
    await compact(g1, 5);
    await compact(g2, 4);
    expect(await log.collectEntryFiles()).toEqual([1, 2, 3]);
    const read = await log.entries(g1, logIndex(6), logIndex(13), 1e9);
    read.forEach((e, k) => {
      expect(e.term).toBe(2);
      expect(e.data).toEqual(entry(k + 6, 3000).data);
    });
  });

  it('waits for a read that began before a removal', async () => {
    await log.load(g1);
    await append(kv, log, g1, range(1, 8, 3000));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let readDone = false;
    const reading = files.reading(async () => {
      await held;
      readDone = true;
    });
    const batch = new StorageBatch();
    await log.compactPrefix(batch, g1, logIndex(8));
    await batch.commit(kv);
    await append(kv, log, g1, range(9, 9, 3000));
    let removed: number[] | undefined;
    const collecting = log.collectEntryFiles().then((r) => (removed = r));
    await new Promise((r) => setTimeout(r, 50));
    expect(removed).toBeUndefined();
    expect(await readdir(join(dir, 'entries'))).toHaveLength(3);
    release();
    await reading;
    await collecting;
    expect(readDone).toBe(true);
    expect(removed).toEqual([1, 2]);
    expect(await readdir(join(dir, 'entries'))).toHaveLength(1);
  });
});

describe('EntryFiles in memory', () => {
  it('keeps what a sync made durable and loses the rest in a crash', async () => {
    const mem = new MemorySegmentFiles();
    await mem.write(1, 0, [Uint8Array.of(1, 2, 3)]);
    await mem.sync(1);
    await mem.write(1, 3, [Uint8Array.of(4, 5)]);
    await mem.write(2, 0, [Uint8Array.of(9)]);
    mem.crash();
    expect(await mem.list()).toEqual([1]);
    expect(await mem.read(1, 0, 3)).toEqual(Uint8Array.of(1, 2, 3));
    await expect(mem.read(1, 0, 5)).rejects.toThrow(/holds no 5 bytes/);
  });

  it('a crash during a commit loses the entries and leaves the log readable', async () => {
    const kv = new MemoryKvStore();
    const mem = new MemorySegmentFiles();
    const files = await EntryFiles.open(mem, { inlineBytesMax: 0 });
    const log = new RaftLogStore(kv, { files });
    await log.load(g1);
    await append(kv, log, g1, range(1, 3, 500));
    mem.injectFault();
    await expect(append(kv, log, g1, range(4, 5, 500))).rejects.toThrow(/injected fault/);
    mem.crash();
    kv.crash();
    const again = new RaftLogStore(kv, { files: await EntryFiles.open(mem, { inlineBytesMax: 0 }) });
    expect((await again.load(g1)).lastIndex).toBe(3);
    const read = await again.entries(g1, logIndex(1), logIndex(4), 1e9);
    read.forEach((e, k) => expect(e.data).toEqual(entry(k + 1, 500).data));
  });

  it('a failed commit does not hold its segment back from collection', async () => {
    const kv = new MemoryKvStore();
    const mem = new MemorySegmentFiles();
    const files = await EntryFiles.open(mem, { inlineBytesMax: 0, segmentBytesMax: 1000 });
    const log = new RaftLogStore(kv, { files });
    await log.load(g1);
    await append(kv, log, g1, range(1, 2, 500)); // segment 1
    mem.injectFault();
    await expect(append(kv, log, g1, range(3, 4, 500))).rejects.toThrow(/injected fault/); // segment 2
    mem.crash();
    await append(kv, log, g1, range(3, 4, 500)); // segment 3
    await append(kv, log, g1, range(5, 6, 500)); // segment 4
    const batch = new StorageBatch();
    await log.compactPrefix(batch, g1, logIndex(4));
    await batch.commit(kv);
    expect(await log.collectEntryFiles()).toEqual([1, 2, 3]);
  });

  it('starts each run of a batch on a write boundary, and a batch placing on keeps its run whole', async () => {
    const kv = new MemoryKvStore();
    const files = await EntryFiles.open(new MemorySegmentFiles(512), { inlineBytesMax: 0 });
    const data = [700, 300, 10, 5].map((n, k) => new Uint8Array(n).fill(k + 1));
    const a = new StorageBatch();
    const b = new StorageBatch();
    const placed = [files.place(a, data[0]!), files.place(a, data[1]!), files.place(b, data[2]!)];
    placed.push(files.place(a, data[3]!));
    expect(placed.map((p) => p.offset)).toEqual([0, 700, 1024, 1536]);
    // Written in the other order: neither batch's padding may reach into the other's data.
    await b.commit(kv);
    await a.commit(kv);
    expect(await files.read(placed)).toEqual(data);
  });
});
