import {
  CorruptionError,
  defaultRecordBatchLimits,
  RaftlogError,
  RecordBatchView,
  type PartitionId,
  type RecordBatchLimits,
} from '../lib/index.js';
import { firstInRange, withIterator, type KvEntry, type KvStore } from './kv/index.js';
import {
  decodePartitionBatchKey,
  decodePartitionTimeIndexKey,
  partitionBatchKey,
  partitionBatchRange,
  partitionMetaKey,
  partitionTimeIndexKey,
  partitionTimeIndexRange,
} from './keys.js';
import type { StorageBatch } from './storage-batch.js';
import { ValueReader, ValueWriter } from './value-codec.js';

export interface PartitionInfo {
  /** The first offset a fetch may ask for (retention moves it forward). */
  readonly logStartOffset: number;
  /** The offset the next appended batch must have (last offset + 1). */
  readonly nextOffset: number;
  /** Bytes of the stored batches from the one holding logStartOffset to the end. */
  readonly sizeBytes: number;
  /** Highest batch maxTimestamp appended so far, -1 when none. */
  readonly maxTimestamp: number;
}

interface PartitionState extends PartitionInfo {
  readonly version: number;
}

export interface ReadResult {
  /** Stored batches exactly as appended: views, not copies, each CRC-checked. */
  readonly batches: Uint8Array[];
  readonly sizeBytes: number;
  readonly logStartOffset: number;
  readonly nextOffset: number;
}

export interface PartitionStoreOptions {
  readonly limits?: RecordBatchLimits;
  /** Check each batch's CRC on append too (reads always check). */
  readonly verifyCrcOnAppend?: boolean;
}

const emptyPartition: PartitionInfo = { logStartOffset: 0, nextOffset: 0, sizeBytes: 0, maxTimestamp: -1 };
const readHighWaterMarkBytesMax = 4 * 1024 * 1024;
const scanHighWaterMarkBytes = 1024 * 1024;

function encodeMeta(s: PartitionInfo): Uint8Array {
  return new ValueWriter(32)
    .u64(s.logStartOffset)
    .u64(s.nextOffset)
    .u64(s.sizeBytes)
    .u64(s.maxTimestamp + 1)
    .finish();
}

function decodeMeta(bytes: Uint8Array): PartitionInfo {
  const r = new ValueReader(bytes, 'partition metadata');
  const info = {
    logStartOffset: r.u64(),
    nextOffset: r.u64(),
    sizeBytes: r.u64(),
    maxTimestamp: r.u64() - 1,
  };
  r.done();
  if (info.logStartOffset > info.nextOffset) throw r.corrupt('log start is past the end');
  return info;
}

/**
 * Partition data: each RecordBatch is one value keyed by (partition, baseOffset), served back as it
 * was stored. A sparse time index holds (partition, timestamp, baseOffset) for every batch that
 * raised the partition's maximum timestamp, so it is sorted by both and a timestamp lookup is one
 * seek. Reads find the batch holding an offset with one reverse seek and verify every CRC.
 */
export class PartitionStore {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly staged = new WeakMap<StorageBatch, Map<number, { state: PartitionState; base: number }>>();
  private readonly limits: RecordBatchLimits;
  private readonly verifyCrcOnAppend: boolean;

  constructor(
    private readonly kv: KvStore,
    options: PartitionStoreOptions = {},
  ) {
    this.limits = options.limits ?? defaultRecordBatchLimits;
    this.verifyCrcOnAppend = options.verifyCrcOnAppend ?? true;
  }

  /** Reads (and caches) a partition's metadata; a partition never written is empty at offset 0. */
  async load(partition: PartitionId): Promise<PartitionInfo> {
    const bytes = await this.kv.get(partitionMetaKey(partition));
    const info = bytes === undefined ? { ...emptyPartition } : decodeMeta(bytes);
    const version = (this.partitions.get(partition)?.version ?? 0) + 1;
    const state = { ...info, version };
    this.partitions.set(partition, state);
    return info;
  }

  async info(partition: PartitionId): Promise<PartitionInfo> {
    const s = this.partitions.get(partition);
    if (s === undefined) return this.load(partition);
    return {
      logStartOffset: s.logStartOffset,
      nextOffset: s.nextOffset,
      sizeBytes: s.sizeBytes,
      maxTimestamp: s.maxTimestamp,
    };
  }

  /**
   * Stages batches whose offsets the leader has already assigned: each must start at the
   * partition's next offset. Malformed batches are rejected with CORRUPT_MESSAGE.
   */
  append(batch: StorageBatch, partition: PartitionId, batches: readonly Uint8Array[]): void {
    const p = this.stage(batch, partition);
    let s = p.state;
    for (const bytes of batches) {
      const view = new RecordBatchView(bytes, this.limits);
      if (this.verifyCrcOnAppend) view.assertCrc();
      if (view.baseOffset !== s.nextOffset) {
        throw new RaftlogError(
          'INVALID_ARGUMENT',
          `partition ${partition}: batch at ${view.baseOffset} does not start at the next offset ${s.nextOffset}`,
        );
      }
      batch.kv.put(partitionBatchKey(partition, view.baseOffset), bytes);
      const ts = view.maxTimestamp;
      if (ts > s.maxTimestamp)
        batch.kv.put(partitionTimeIndexKey(partition, ts, view.baseOffset), new Uint8Array(0));
      s = {
        ...s,
        nextOffset: view.nextOffset,
        sizeBytes: s.sizeBytes + bytes.length,
        maxTimestamp: Math.max(s.maxTimestamp, ts),
      };
    }
    p.state = s;
    batch.kv.put(partitionMetaKey(partition), encodeMeta(s));
  }

  /**
   * Stored batches from the one holding `fromOffset` on, up to `bytesMax` (at least one batch, so a
   * large batch cannot stall a consumer). The first batch may start before `fromOffset`.
   */
  async read(partition: PartitionId, fromOffset: number, bytesMax: number): Promise<ReadResult> {
    const info = await this.info(partition);
    const result = (batches: Uint8Array[], sizeBytes: number): ReadResult => ({
      batches,
      sizeBytes,
      logStartOffset: info.logStartOffset,
      nextOffset: info.nextOffset,
    });
    checkOffset(partition, fromOffset, info);
    if (fromOffset === info.nextOffset) return result([], 0);
    const first = await this.batchContaining(partition, fromOffset);
    const batches = [first.bytes];
    let size = first.bytes.length;
    let expected = first.nextOffset;
    if (size >= bytesMax || expected >= info.nextOffset) return result(batches, size);
    const range = {
      gte: partitionBatchKey(partition, expected),
      lt: partitionBatchKey(partition, info.nextOffset),
      highWaterMarkBytes: Math.min(bytesMax - size, readHighWaterMarkBytesMax),
    };
    await withIterator(this.kv, range, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        if (size + e.value.length > bytesMax) break;
        const view = this.verified(partition, e);
        if (view.baseOffset !== expected)
          throw new CorruptionError(`partition ${partition}: no batch at offset ${expected}`);
        batches.push(e.value);
        size += e.value.length;
        expected = view.nextOffset;
      }
    });
    return result(batches, size);
  }

  /**
   * The first offset whose record timestamp is >= `timestamp` (Kafka's ListOffsets), or undefined if
   * every stored record is older. One seek on the time index plus one on the batches.
   */
  async offsetForTimestamp(
    partition: PartitionId,
    timestamp: number,
  ): Promise<{ offset: number; timestamp: number } | undefined> {
    const info = await this.info(partition);
    if (info.logStartOffset === info.nextOffset || timestamp > info.maxTimestamp) return undefined;
    const hit = await firstInRange(this.kv, {
      gte: partitionTimeIndexKey(partition, Math.max(0, timestamp), 0),
      lt: partitionTimeIndexRange(partition).lt,
      keysOnly: true,
    });
    if (hit === undefined) return undefined;
    const from = Math.max(decodePartitionTimeIndexKey(hit.key).baseOffset, info.logStartOffset);
    return this.firstRecordAtOrAfter(partition, from, timestamp, info.nextOffset);
  }

  /**
   * Stages retention up to `offset`: batches that end before it are deleted and the log starts at
   * it. Reads the deleted batches' sizes, so the cost is proportional to what is removed.
   */
  async deleteBefore(batch: StorageBatch, partition: PartitionId, offset: number): Promise<void> {
    const p = this.stage(batch, partition);
    const s = p.state;
    if (offset <= s.logStartOffset) return;
    if (offset > s.nextOffset) {
      throw new RaftlogError(
        'OFFSET_OUT_OF_RANGE',
        `partition ${partition}: cannot delete before ${offset}, the log ends at ${s.nextOffset}`,
      );
    }
    const keep =
      offset === s.nextOffset ? offset : (await this.batchContaining(partition, offset, s)).baseOffset;
    const removed = await this.sizeOfRange(partition, s.logStartOffset, keep);
    batch.assertOpen();
    const range = partitionBatchRange(partition);
    batch.kv.delRange(range.gte, partitionBatchKey(partition, keep));
    await this.trimTimeIndexBefore(batch, partition, keep);
    p.state = { ...s, logStartOffset: offset, sizeBytes: s.sizeBytes - removed };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
  }

  /** Stages the removal of every offset above `offset`; it must be the last offset of a batch. */
  async truncateAfter(batch: StorageBatch, partition: PartitionId, offset: number): Promise<void> {
    const p = this.stage(batch, partition);
    const s = p.state;
    const next = offset + 1;
    if (next >= s.nextOffset) return;
    if (next < s.logStartOffset) {
      throw new RaftlogError(
        'OFFSET_OUT_OF_RANGE',
        `partition ${partition}: ${offset} is below the log start ${s.logStartOffset}`,
      );
    }
    if (next > s.logStartOffset) {
      const holder = await this.batchContaining(partition, offset, s);
      if (holder.nextOffset !== next) {
        throw new RaftlogError(
          'INVALID_ARGUMENT',
          `partition ${partition}: ${offset} is not the last offset of a batch`,
        );
      }
    }
    const removed = await this.sizeOfRange(partition, next, s.nextOffset);
    const maxTimestamp = await this.trimTimeIndexAfter(batch, partition, offset);
    batch.assertOpen();
    batch.kv.delRange(partitionBatchKey(partition, next), partitionBatchRange(partition).lt);
    p.state = { ...s, nextOffset: next, sizeBytes: s.sizeBytes - removed, maxTimestamp };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
  }

  /**
   * Stages a restart of the log at `offset` for a replica whose stored log ends below it (everything
   * before `offset` was deleted by retention elsewhere): all stored batches go, and the log is empty
   * from `offset` on.
   */
  resetTo(batch: StorageBatch, partition: PartitionId, offset: number): void {
    const p = this.stage(batch, partition);
    if (offset < p.state.nextOffset) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `partition ${partition}: cannot restart at ${offset}, the log already ends at ${p.state.nextOffset}`,
      );
    }
    for (const range of [partitionBatchRange(partition), partitionTimeIndexRange(partition)]) {
      batch.kv.delRange(range.gte, range.lt);
    }
    p.state = { ...p.state, logStartOffset: offset, nextOffset: offset, sizeBytes: 0, maxTimestamp: -1 };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
  }

  /** Stages the removal of everything stored for a partition (it left this node, or its topic was deleted). */
  deletePartition(batch: StorageBatch, partition: PartitionId): void {
    batch.assertOpen();
    for (const range of [partitionBatchRange(partition), partitionTimeIndexRange(partition)]) {
      batch.kv.delRange(range.gte, range.lt);
    }
    batch.kv.del(partitionMetaKey(partition));
    batch.afterWrite(() => this.partitions.delete(partition));
  }

  /** The offset to pass to `deleteBefore` so at most `retentionBytesMax` stay (whole batches). */
  async retentionCutoffByBytes(partition: PartitionId, retentionBytesMax: number): Promise<number> {
    const info = await this.info(partition);
    let excess = info.sizeBytes - retentionBytesMax;
    if (excess <= 0 || info.logStartOffset === info.nextOffset) return info.logStartOffset;
    const start = (await this.batchContaining(partition, info.logStartOffset)).baseOffset;
    const range = {
      gte: partitionBatchKey(partition, start),
      lt: partitionBatchKey(partition, info.nextOffset),
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    let cutoff = info.logStartOffset;
    await withIterator(this.kv, range, async (it) => {
      for (
        let e = excess > 0 ? await it.next() : undefined;
        e !== undefined;
        e = excess > 0 ? await it.next() : undefined
      ) {
        excess -= e.value.length;
        cutoff = this.verified(partition, e).nextOffset;
      }
    });
    return cutoff;
  }

  /** The offset to pass to `deleteBefore` to drop batches whose records are all older than `olderThanMs`. */
  async retentionCutoffByTime(partition: PartitionId, olderThanMs: number): Promise<number> {
    const info = await this.info(partition);
    if (olderThanMs > info.maxTimestamp) return info.nextOffset;
    const hit = await firstInRange(this.kv, {
      gte: partitionTimeIndexKey(partition, Math.max(0, olderThanMs), 0),
      lt: partitionTimeIndexRange(partition).lt,
      keysOnly: true,
    });
    const base = hit === undefined ? info.nextOffset : decodePartitionTimeIndexKey(hit.key).baseOffset;
    return Math.max(base, info.logStartOffset);
  }

  /** The stored batch holding `offset`: one reverse seek, then CRC and offset checks. */
  private async batchContaining(
    partition: PartitionId,
    offset: number,
    state?: PartitionInfo,
  ): Promise<RecordBatchView> {
    const e = await firstInRange(this.kv, {
      gte: partitionBatchRange(partition).gte,
      lte: partitionBatchKey(partition, offset),
      reverse: true,
    });
    const view = e === undefined ? undefined : this.verified(partition, e);
    if (view === undefined || view.lastOffset < offset) {
      const where = state === undefined ? '' : ` (log ${state.logStartOffset}..${state.nextOffset})`;
      throw new CorruptionError(`partition ${partition}: no stored batch holds offset ${offset}${where}`);
    }
    return view;
  }

  /** Wraps a stored value in a view after checking structure, CRC and that it sits under its key. */
  private verified(partition: PartitionId, e: KvEntry): RecordBatchView {
    const { baseOffset } = decodePartitionBatchKey(e.key);
    let view: RecordBatchView;
    try {
      view = new RecordBatchView(e.value, this.limits);
    } catch (cause) {
      throw new CorruptionError(`partition ${partition}: stored batch at ${baseOffset} is malformed`, {
        cause,
      });
    }
    if (!view.verifyCrc())
      throw new CorruptionError(`partition ${partition}: stored batch at ${baseOffset} fails its CRC32C`);
    if (view.baseOffset !== baseOffset) {
      throw new CorruptionError(
        `partition ${partition}: batch stored at ${baseOffset} says it starts at ${view.baseOffset}`,
      );
    }
    return view;
  }

  private async firstRecordAtOrAfter(
    partition: PartitionId,
    from: number,
    timestamp: number,
    end: number,
  ): Promise<{ offset: number; timestamp: number } | undefined> {
    const start = (await this.batchContaining(partition, from)).baseOffset;
    const range = { gte: partitionBatchKey(partition, start), lt: partitionBatchKey(partition, end) };
    return withIterator(this.kv, range, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        const view = this.verified(partition, e);
        if (view.maxTimestamp < timestamp) continue;
        for (const r of view.records()) {
          if (r.offset >= from && r.timestamp >= timestamp)
            return { offset: r.offset, timestamp: r.timestamp };
        }
      }
      return undefined;
    });
  }

  private async sizeOfRange(partition: PartitionId, from: number, to: number): Promise<number> {
    if (from >= to) return 0;
    const start = (await this.batchContaining(partition, from)).baseOffset;
    const range = {
      gte: partitionBatchKey(partition, start),
      lt: partitionBatchKey(partition, to),
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    return withIterator(this.kv, range, async (it) => {
      let size = 0;
      for (let e = await it.next(); e !== undefined; e = await it.next()) size += e.value.length;
      return size;
    });
  }

  /**
   * Deletes index entries of batches before `keep`, except the last one: it still carries the
   * maximum timestamp reached before `keep`, which lookups then clamp to the log start.
   */
  private async trimTimeIndexBefore(
    batch: StorageBatch,
    partition: PartitionId,
    keep: number,
  ): Promise<void> {
    const doomed: Uint8Array[] = [];
    await withIterator(
      this.kv,
      { ...partitionTimeIndexRange(partition), keysOnly: true, highWaterMarkBytes: scanHighWaterMarkBytes },
      async (it) => {
        for (let e = await it.next(); e !== undefined; e = await it.next()) {
          if (decodePartitionTimeIndexKey(e.key).baseOffset >= keep) break;
          doomed.push(e.key);
        }
      },
    );
    batch.assertOpen();
    for (const key of doomed.slice(0, -1)) batch.kv.del(key);
  }

  /** Deletes index entries of batches after `offset`; returns the maximum timestamp that remains. */
  private async trimTimeIndexAfter(
    batch: StorageBatch,
    partition: PartitionId,
    offset: number,
  ): Promise<number> {
    let remaining = -1;
    const doomed: Uint8Array[] = [];
    await withIterator(
      this.kv,
      { ...partitionTimeIndexRange(partition), reverse: true, keysOnly: true },
      async (it) => {
        for (let e = await it.next(); e !== undefined; e = await it.next()) {
          const k = decodePartitionTimeIndexKey(e.key);
          if (k.baseOffset <= offset) {
            remaining = k.timestamp;
            break;
          }
          doomed.push(e.key);
        }
      },
    );
    batch.assertOpen();
    for (const key of doomed) batch.kv.del(key);
    return remaining;
  }

  private stage(batch: StorageBatch, partition: PartitionId): { state: PartitionState; base: number } {
    batch.assertOpen();
    let parts = this.staged.get(batch);
    if (parts === undefined) {
      const staged = new Map<number, { state: PartitionState; base: number }>();
      parts = staged;
      this.staged.set(batch, staged);
      batch.beforeWrite(() => {
        for (const [id, p] of staged) {
          if (this.partitions.get(id)?.version !== p.base) {
            throw new RaftlogError('INTERNAL', `partition ${id} changed while this batch was built`);
          }
        }
      });
      batch.afterWrite(() => {
        for (const [id, p] of staged) this.partitions.set(id, { ...p.state, version: p.base + 1 });
      });
    }
    let p = parts.get(partition);
    if (p === undefined) {
      const current = this.partitions.get(partition);
      if (current === undefined) throw new RaftlogError('INTERNAL', `partition ${partition} is not loaded`);
      p = { state: current, base: current.version };
      parts.set(partition, p);
    }
    return p;
  }
}

function checkOffset(partition: PartitionId, offset: number, info: PartitionInfo): void {
  if (!Number.isSafeInteger(offset) || offset < info.logStartOffset || offset > info.nextOffset) {
    throw new RaftlogError(
      'OFFSET_OUT_OF_RANGE',
      `partition ${partition}: offset ${offset} is outside ${info.logStartOffset}..${info.nextOffset}`,
    );
  }
}
