import {
  assert,
  CorruptionError,
  defaultRecordBatchLimits,
  RaftlogError,
  RecordBatchView,
  type LogIndex,
  type PartitionId,
  type RecordBatchLimits,
} from '../lib/index.js';
import { firstInRange, withIterator, type KvEntry, type KvStore } from './kv/index.js';
import { decodeBatchIndexEntry, encodeBatchIndexEntry, type BatchIndexEntry } from './batch-index.js';
import { decodeBatchRef, encodeBatchRef, isBatchRef, type BatchRef } from './batch-ref.js';
import type { EntryFiles, Placement } from './entry-files/index.js';
import { decodeStoredEntry } from './raft-log-codec.js';
import {
  decodePartitionAppendTimeIndexKey,
  decodePartitionBatchIndexKey,
  decodePartitionBatchKey,
  decodePartitionTimeIndexKey,
  partitionAppendTimeIndexKey,
  partitionAppendTimeIndexRange,
  partitionBatchIndexKey,
  partitionBatchIndexRange,
  partitionBatchKey,
  partitionBatchRange,
  partitionCompactionKey,
  partitionMetaKey,
  partitionTimeIndexKey,
  partitionTimeIndexRange,
  raftEntryKey,
  type KeyRange,
} from './keys.js';
import { StorageBatch } from './storage-batch.js';
import {
  decodeCompactionState,
  encodeCompactionState,
  noCompaction,
  type CompactionState,
  type CompactionTarget,
} from './compaction-state.js';
import { CompactionPass, reclaimPartitionSpace, type CompactionPassOptions } from './compaction-pass.js';
import { ValueReader, ValueWriter } from './value-codec.js';

export interface PartitionInfo {
  /** The first offset a fetch may ask for (retention moves it forward). */
  readonly logStartOffset: number;
  /** The offset the next appended batch must have (last offset + 1). */
  readonly nextOffset: number;
  /**
   * Bytes of every batch appended up to nextOffset, a running total that retention does not lower:
   * the bytes from a batch to the end are this minus the batch's `bytesBefore` in the batch index.
   */
  readonly appendedBytes: number;
  /** Highest batch maxTimestamp (the records' own timestamps) appended so far, -1 when none. */
  readonly maxTimestamp: number;
  /** Latest append time (the leader's, carried in the Raft entry) of a stored batch, -1 when none. */
  readonly maxAppendTimeMs: number;
}

interface PartitionState extends PartitionInfo {
  readonly version: number;
}

export interface ReadResult {
  /** Stored batches as appended, each CRC-checked: copies as views, referenced batches as copies. */
  readonly batches: Uint8Array[];
  /** Per batch, whether it is stored as a reference into its Raft entry (see batch-ref.ts). */
  readonly referenced: boolean[];
  readonly sizeBytes: number;
  readonly logStartOffset: number;
  readonly nextOffset: number;
}

/** Bounds of one purge step: what one write batch deletes at most (at least one batch per step). */
export interface PurgeStepLimits {
  readonly batchesMax: number;
  /** Stored bytes (from the batch index) one step frees at most. */
  readonly bytesMax: number;
}

export const defaultPurgeStepLimits: PurgeStepLimits = { batchesMax: 256, bytesMax: 8 * 1024 * 1024 };

/** Batch index entries one retention-by-bytes lookup reads at most; a larger excess takes several passes. */
export const retentionScanBatchesMaxDefault = 10_000;

export interface PurgeStepResult {
  readonly batches: number;
  readonly bytes: number;
  /** Whether batches below the log start remain after this step. */
  readonly more: boolean;
}

export interface PartitionStoreOptions {
  readonly limits?: RecordBatchLimits;
  /** Check each batch's CRC on append too (reads always check). */
  readonly verifyCrcOnAppend?: boolean;
  /** The Raft logs whose entries hold referenced batches (RaftLogStore): retention deletes them there. */
  readonly archive?: EntryArchive;
  /** The entry files referenced batches may lie in (those of the RaftLogStore the archive is). */
  readonly entryFiles?: EntryFiles;
  /**
   * A copy of bytes [start, end) of an applied Raft entry when the entry is at hand in memory (the
   * host's log cache), so a read of recent batches skips the engine; undefined (not held, or shorter)
   * sends the read to RocksDB.
   */
  readonly appliedBytes?: (
    group: number,
    index: number,
    start: number,
    end: number,
  ) => Uint8Array | undefined;
}

/** What retention needs of the Raft logs: deleting entries no stored batch refers to any more. */
export interface EntryArchive {
  deleteArchived(batch: StorageBatch, group: number, below: number, countMax: number): boolean;
}

/** A batch applied from a Raft entry, stored as a reference to it (see batch-ref.ts). */
export interface EntryBatch {
  readonly group: number;
  readonly index: number;
  /** The entry's data, and the batch inside it as the producer encoded it (any baseOffset). */
  readonly data: Uint8Array;
  readonly batch: Uint8Array;
  /** The offset the leader assigned to the batch's first record. */
  readonly baseOffset: number;
}

/** Archived entries one purge step deletes at most (point deletes, no reads). */
const archivedDeletesMax = 65_536;
/** Batch index entries a purge step looks at past the log start for the first referenced entry. */
const floorScanBatchesMax = 1_024;

const emptyPartition: PartitionInfo = {
  logStartOffset: 0,
  nextOffset: 0,
  appendedBytes: 0,
  maxTimestamp: -1,
  maxAppendTimeMs: -1,
};
const readHighWaterMarkBytesMax = 4 * 1024 * 1024;
const scanHighWaterMarkBytes = 1024 * 1024;
/** Prefetch of a read walking references (29 bytes each, plus keys): a few hundred per native call. */
const refScanHighWaterMarkBytes = 16 * 1024;
/**
 * Prefetch of a read that starts at a batch boundary, before it knows whether the partition holds
 * references or copies: about a thousand references, or one large copy, per native call.
 */
const boundaryWalkHighWaterMarkBytes = 64 * 1024;

function encodeMeta(s: PartitionInfo): Uint8Array {
  return new ValueWriter(40)
    .u64(s.logStartOffset)
    .u64(s.nextOffset)
    .u64(s.appendedBytes)
    .u64(s.maxTimestamp + 1)
    .u64(s.maxAppendTimeMs + 1)
    .finish();
}

function decodeMeta(bytes: Uint8Array): PartitionInfo {
  const r = new ValueReader(bytes, 'partition metadata');
  const info = {
    logStartOffset: r.u64(),
    nextOffset: r.u64(),
    appendedBytes: r.u64(),
    maxTimestamp: r.u64() - 1,
    maxAppendTimeMs: r.u64() - 1,
  };
  r.done();
  if (info.logStartOffset > info.nextOffset) throw r.corrupt('log start is past the end');
  return info;
}

/**
 * Partition data: each RecordBatch is one value keyed by (partition, baseOffset), served back as it
 * was stored. Beside it, a batch index (end offset, size, running byte total, append time per batch)
 * and two sparse indexes, one per timestamp kind, holding (partition, time, baseOffset) for every
 * batch that raised the partition's maximum, so each is sorted by time and offset at once and a
 * lookup is one seek. Reads find the batch holding an offset with one reverse seek and verify CRCs.
 *
 * Retention is two steps. `setLogStart` moves the log start in a ready cycle's batch without reading
 * anything (it may point into batches staged in that very batch). `purgeStep`, run in the background
 * with its own write batches, then deletes stored batches wholly below the log start, a bounded
 * number per step, taking their sizes and ends from the batch index.
 */
export class PartitionStore {
  private readonly partitions = new Map<number, PartitionState>();
  private readonly staged = new WeakMap<StorageBatch, Map<number, { state: PartitionState; base: number }>>();
  /** Partitions that may hold batches below their log start. */
  private readonly purgeDue = new Set<number>();
  /**
   * Where each partition's last purge step ended: the next step starts there, so it does not walk
   * the deletion markers of earlier steps (RocksDB keeps them until a compaction).
   */
  private readonly purgedTo = new Map<number, PurgePosition>();
  private readonly limits: RecordBatchLimits;
  private readonly verifyCrcOnAppend: boolean;
  /** Key compaction progress per partition, and below which offset whole batches may be missing. */
  private readonly compaction = new Map<number, CompactionState>();
  /**
   * Bumped when a change that replaces stored batches (truncation, restart, removal) is staged, so a
   * background compaction step built before it knows not to write.
   */
  private readonly epochs = new Map<number, number>();
  /**
   * Per partition, the lowest Raft index a retained batch may refer to (0 while unknown: every entry
   * may be). Only ever raised, by the purge; a value too low keeps entries longer, never too short.
   */
  private readonly entryFloors = new Map<number, number>();
  /** Per partition, the highest Raft index a written reference names (0: none seen since load). */
  private readonly referencedThrough = new Map<number, number>();
  private readonly archive: EntryArchive | undefined;
  private readonly entryFiles: EntryFiles | undefined;
  private readonly appliedBytes: PartitionStoreOptions['appliedBytes'];

  constructor(
    private readonly kv: KvStore,
    options: PartitionStoreOptions = {},
  ) {
    this.limits = options.limits ?? defaultRecordBatchLimits;
    this.verifyCrcOnAppend = options.verifyCrcOnAppend ?? true;
    this.archive = options.archive;
    this.entryFiles = options.entryFiles;
    this.appliedBytes = options.appliedBytes;
  }

  /**
   * The lowest Raft index of the partition's group that a retained batch may refer to: the log may
   * drop entries below it, and must keep those from it on (0: keep them all).
   */
  entryFloor(partition: PartitionId): number {
    return this.entryFloors.get(partition) ?? 0;
  }

  /** The floor only rises: a lower value found later is older knowledge, not a new reference. */
  private raiseEntryFloor(partition: PartitionId, floor: number): void {
    this.entryFloors.set(partition, Math.max(floor, this.entryFloors.get(partition) ?? 0));
  }

  /** Reads (and caches) a partition's metadata; a partition never written is empty at offset 0. */
  async load(partition: PartitionId): Promise<PartitionInfo> {
    const bytes = await this.kv.get(partitionMetaKey(partition));
    const info = bytes === undefined ? { ...emptyPartition } : decodeMeta(bytes);
    const version = (this.partitions.get(partition)?.version ?? 0) + 1;
    const state = { ...info, version };
    this.partitions.set(partition, state);
    const compaction = await this.kv.get(partitionCompactionKey(partition));
    this.compaction.set(
      partition,
      compaction === undefined ? noCompaction : decodeCompactionState(partition, compaction),
    );
    this.bumpEpoch(partition);
    // A purge cut short by a stop resumes after the restart.
    if (info.logStartOffset > 0) this.purgeDue.add(partition);
    // The last batch names the latest referenced entry (applies refer to ever later ones).
    const last = await firstInRange(this.kv, { ...partitionBatchIndexRange(partition), reverse: true });
    const through = last === undefined ? 0 : this.indexEntry(partition, last).entryIndex;
    this.referencedThrough.set(partition, Math.max(through, this.referencedThrough.get(partition) ?? 0));
    return info;
  }

  async info(partition: PartitionId): Promise<PartitionInfo> {
    const s = this.partitions.get(partition);
    if (s === undefined) return this.load(partition);
    return {
      logStartOffset: s.logStartOffset,
      nextOffset: s.nextOffset,
      appendedBytes: s.appendedBytes,
      maxTimestamp: s.maxTimestamp,
      maxAppendTimeMs: s.maxAppendTimeMs,
    };
  }

  /**
   * Stages batches whose offsets the leader has already assigned: each must start at the
   * partition's next offset. `appendTimeMs` is the leader's time of the append (from the Raft entry,
   * so every replica stores the same). Malformed batches are rejected with CORRUPT_MESSAGE.
   * With `gapsAllowed` (a gap fill copying another replica's compacted log) a batch may start past the
   * next offset: whole batches compaction removed there are simply absent.
   */
  append(
    batch: StorageBatch,
    partition: PartitionId,
    batches: readonly Uint8Array[],
    appendTimeMs: number,
    options: { readonly gapsAllowed?: boolean } = {},
  ): void {
    checkAppendTime(appendTimeMs);
    const p = this.stage(batch, partition);
    let s = p.state;
    let gapsBelow = this.compactionState(partition).gapsBelow;
    for (const bytes of batches) {
      const view = new RecordBatchView(bytes, this.limits);
      if (this.verifyCrcOnAppend) view.assertCrc();
      if (options.gapsAllowed === true && view.baseOffset > s.nextOffset) {
        gapsBelow = Math.max(gapsBelow, view.baseOffset);
        s = { ...s, nextOffset: view.baseOffset };
      }
      s = this.stageBatch(batch, partition, s, view, bytes, 0, appendTimeMs);
    }
    p.state = s;
    batch.kv.put(partitionMetaKey(partition), encodeMeta(s));
    if (gapsBelow > this.compactionState(partition).gapsBelow)
      this.stageGapsBelow(batch, partition, gapsBelow);
  }

  /**
   * Stages a batch applied from a Raft entry without copying it: the store keeps a reference to the
   * entry, which the Raft log then keeps while the batch is retained (see `entryFloor`). The batch
   * must start at the partition's next offset.
   */
  appendFromEntry(
    batch: StorageBatch,
    partition: PartitionId,
    input: EntryBatch,
    appendTimeMs: number,
  ): void {
    checkAppendTime(appendTimeMs);
    // Retention and compaction delete a partition's unreferenced entries from the group of its own id.
    assert(input.group === partition, `partition ${partition} refers to entries of group ${input.group}`);
    const dataOffset = input.batch.byteOffset - input.data.byteOffset;
    if (
      input.batch.buffer !== input.data.buffer ||
      dataOffset < 0 ||
      dataOffset + input.batch.byteLength > input.data.byteLength
    ) {
      throw new RaftlogError('INVALID_ARGUMENT', `partition ${partition}: the batch is not inside its entry`);
    }
    const view = new RecordBatchView(input.batch, this.limits);
    if (this.verifyCrcOnAppend) view.assertCrc();
    const p = this.stage(batch, partition);
    const ref: BatchRef = {
      group: input.group,
      index: input.index,
      dataOffset,
      sizeBytes: input.batch.byteLength,
      lastOffsetDelta: view.lastOffsetDelta,
    };
    const key = partitionBatchKey(partition, input.baseOffset);
    const at = { baseOffset: input.baseOffset, nextOffset: input.baseOffset + view.lastOffsetDelta + 1 };
    p.state = this.stageBatch(
      batch,
      partition,
      p.state,
      { ...at, sizeBytes: ref.sizeBytes, maxTimestamp: view.maxTimestamp },
      encodeBatchRef(ref, key),
      input.index,
      appendTimeMs,
    );
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
    batch.afterWrite(() =>
      this.referencedThrough.set(
        partition,
        Math.max(input.index, this.referencedThrough.get(partition) ?? 0),
      ),
    );
  }

  /** Stages one batch's value and index entries at the partition's next offset; returns the new state. */
  private stageBatch(
    batch: StorageBatch,
    partition: PartitionId,
    s: PartitionState,
    b: { baseOffset: number; nextOffset: number; sizeBytes: number; maxTimestamp: number },
    value: Uint8Array,
    entryIndex: number,
    appendTimeMs: number,
  ): PartitionState {
    if (b.baseOffset !== s.nextOffset) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `partition ${partition}: batch at ${b.baseOffset} does not start at the next offset ${s.nextOffset}`,
      );
    }
    const base = b.baseOffset;
    batch.kv.put(partitionBatchKey(partition, base), value);
    batch.kv.put(
      partitionBatchIndexKey(partition, base),
      encodeBatchIndexEntry({
        nextOffset: b.nextOffset,
        sizeBytes: b.sizeBytes,
        bytesBefore: s.appendedBytes,
        appendTimeMs,
        maxTimestamp: b.maxTimestamp,
        entryIndex,
      }),
    );
    const ts = b.maxTimestamp;
    if (ts > s.maxTimestamp) batch.kv.put(partitionTimeIndexKey(partition, ts, base), new Uint8Array(0));
    if (appendTimeMs > s.maxAppendTimeMs)
      batch.kv.put(partitionAppendTimeIndexKey(partition, appendTimeMs, base), new Uint8Array(0));
    return {
      ...s,
      nextOffset: b.nextOffset,
      appendedBytes: s.appendedBytes + b.sizeBytes,
      maxTimestamp: Math.max(s.maxTimestamp, ts),
      maxAppendTimeMs: Math.max(s.maxAppendTimeMs, appendTimeMs),
    };
  }

  /** A key compaction pass of `partition` toward `target`, run step by step by the caller. */
  compactionPass(
    partition: PartitionId,
    target: CompactionTarget,
    options?: CompactionPassOptions,
  ): CompactionPass {
    return new CompactionPass(this.kv, this, partition, target, options);
  }

  /** Lets the engine free the space of the batches (and entries) compaction removed or rewrote. */
  reclaimSpace(partition: PartitionId): Promise<void> {
    return reclaimPartitionSpace(this.kv, partition);
  }

  /** Key compaction progress of a loaded partition. */
  compactionState(partition: PartitionId): CompactionState {
    return this.compaction.get(partition) ?? noCompaction;
  }

  /**
   * Changes whenever stored batches of the partition are replaced wholesale (truncation, restart,
   * removal, reload): a compaction step checks it right before it writes.
   */
  epoch(partition: PartitionId): number {
    return this.epochs.get(partition) ?? 0;
  }

  /**
   * Records compaction progress in `batch`. A larger `gapsBelow` takes effect for readers at once:
   * it only lets them step over missing batches, and must do so before the write removes any.
   */
  stageCompactionState(batch: StorageBatch, partition: PartitionId, state: CompactionState): void {
    batch.kv.put(partitionCompactionKey(partition), encodeCompactionState(partition, state));
    const now = this.compactionState(partition);
    this.compaction.set(partition, { ...now, gapsBelow: Math.max(now.gapsBelow, state.gapsBelow) });
    batch.afterWrite(() => {
      if (this.compaction.has(partition)) this.compaction.set(partition, state);
    });
  }

  private stageGapsBelow(batch: StorageBatch, partition: PartitionId, gapsBelow: number): void {
    this.stageCompactionState(batch, partition, { ...this.compactionState(partition), gapsBelow });
  }

  private bumpEpoch(partition: PartitionId | number): void {
    this.epochs.set(partition, (this.epochs.get(partition) ?? 0) + 1);
  }

  /**
   * Stored batches from the one holding `fromOffset` on, up to `bytesMax` (at least one batch, so a
   * large batch cannot stall a consumer). The first batch may start before `fromOffset`; when
   * compaction removed the batch holding it, the first is the next stored one (a seek, not a scan).
   */
  async read(partition: PartitionId, fromOffset: number, bytesMax: number): Promise<ReadResult> {
    const info = await this.info(partition);
    const referenced: boolean[] = [];
    const result = (batches: Uint8Array[], sizeBytes: number): ReadResult => ({
      batches,
      referenced: referenced.slice(0, batches.length),
      sizeBytes,
      logStartOffset: info.logStartOffset,
      nextOffset: info.nextOffset,
    });
    checkOffset(partition, fromOffset, info);
    if (fromOffset === info.nextOffset) return result([], 0);
    const gapsBelow = this.compactionState(partition).gapsBelow;
    const batches: (Uint8Array | undefined)[] = [];
    const refs: { at: number; e: KvEntry; ref: BatchRef }[] = [];
    let size = 0;
    let expected = fromOffset;
    /** Walks stored batches from `from` on; the first must start exactly there (else none is taken). */
    const walk = (from: number, highWaterMarkBytes: number) =>
      withIterator(
        this.kv,
        {
          gte: partitionBatchKey(partition, from),
          lt: partitionBatchKey(partition, info.nextOffset),
          highWaterMarkBytes,
        },
        async (it) => {
          while (size < bytesMax) {
            const e = await it.next();
            if (e === undefined) return;
            const shape = this.storedShape(partition, e);
            if (batches.length === 0 && shape.baseOffset !== from) return;
            if (batches.length > 0 && size + shape.sizeBytes > bytesMax) return;
            const gap = shape.baseOffset > expected && expected < gapsBelow;
            if (batches.length > 0 && shape.baseOffset !== expected && !gap)
              throw new CorruptionError(`partition ${partition}: no batch at offset ${expected}`);
            referenced.push(shape.ref !== undefined);
            if (shape.ref !== undefined) refs.push({ at: batches.length, e, ref: shape.ref });
            batches.push(shape.ref === undefined ? e.value : undefined);
            size += shape.sizeBytes;
            expected = shape.nextOffset;
          }
        },
      );
    // A reader going on from its last read asks at a batch boundary: one walk from there.
    await walk(fromOffset, boundaryWalkHighWaterMarkBytes);
    if (batches.length === 0) {
      const first = await this.rowAtOrAfter(partition, fromOffset, info);
      if (first === undefined) return result([], 0);
      // References are small: prefetching bytesMax of them would walk far past what is returned.
      const copies = first.shape.ref === undefined;
      await walk(
        first.shape.baseOffset,
        copies ? Math.min(bytesMax, readHighWaterMarkBytesMax) : refScanHighWaterMarkBytes,
      );
    }
    const views = await this.resolveRefs(partition, refs);
    refs.forEach((r, i) => (batches[r.at] = views[i]?.bytes));
    return result(batches as Uint8Array[], size);
  }

  /**
   * Where a stored value's batch starts and ends and its size, without reading a referenced entry; a
   * copy is checked in full here (structure, CRC, key), a reference when it is resolved.
   */
  private storedShape(partition: PartitionId, e: KvEntry): StoredShape {
    if (!isBatchRef(e.value)) {
      const view = this.verified(partition, e);
      return {
        baseOffset: view.baseOffset,
        nextOffset: view.nextOffset,
        sizeBytes: e.value.length,
        ref: undefined,
      };
    }
    const { baseOffset } = decodePartitionBatchKey(e.key);
    const ref = decodeBatchRef(e.value, e.key);
    return { baseOffset, nextOffset: baseOffset + ref.lastOffsetDelta + 1, sizeBytes: ref.sizeBytes, ref };
  }

  /** A stored value's batch: the copy itself, or the batch inside the entry it refers to. */
  private async resolved(partition: PartitionId, e: KvEntry): Promise<RecordBatchView> {
    if (!isBatchRef(e.value)) return this.verified(partition, e);
    const [view] = await this.resolveRefs(partition, [{ e, ref: decodeBatchRef(e.value, e.key) }]);
    return view as RecordBatchView;
  }

  /**
   * Reads the entries the references name (one multi-get) and returns their batches with the stored
   * base offset set, after the same checks as a copy: the entry's own checksum, the batch's structure
   * and CRC32C, and that it ends where the reference says.
   */
  private async resolveRefs(
    partition: PartitionId,
    refs: readonly { e: KvEntry; ref: BatchRef }[],
  ): Promise<RecordBatchView[]> {
    const data = refs.map(({ ref }) =>
      this.appliedBytes?.(ref.group, ref.index, ref.dataOffset, ref.dataOffset + ref.sizeBytes),
    );
    const missing = refs.flatMap(({ ref }, i) => (data[i] === undefined ? [{ i, ref }] : []));
    if (missing.length > 0) {
      const read = async () => {
        const found = await this.readEntries(missing.map(({ ref }) => ref));
        found.forEach((d, j) => {
          const { i, ref } = missing[j]!;
          if (d instanceof Error) {
            const where = this.refWhere(partition, refs[i]!.e, ref);
            throw new CorruptionError(`${where}: ${d.message}`, { cause: d });
          }
          data[i] = this.batchBytes(partition, refs[i]!.e, ref, d);
        });
      };
      await (this.entryFiles === undefined ? read() : this.entryFiles.reading(read));
    }
    return refs.map(({ e, ref }, i) => this.batchInEntry(partition, e, ref, data[i] as Uint8Array));
  }

  /** A copy of the batch a reference names, out of its entry's data. */
  private batchBytes(partition: PartitionId, e: KvEntry, ref: BatchRef, entry: Uint8Array): Uint8Array {
    if (ref.dataOffset + ref.sizeBytes > entry.length)
      throw new CorruptionError(`${this.refWhere(partition, e, ref)}: the reference runs past the entry`);
    return entry.slice(ref.dataOffset, ref.dataOffset + ref.sizeBytes);
  }

  /**
   * The data of the entries the references name (one multi-get, then one read of the entry files
   * for those whose data is there), or why an entry could not be read.
   */
  private async readEntries(refs: readonly BatchRef[]): Promise<(Uint8Array | Error)[]> {
    const keys = refs.map((ref) => raftEntryKey(ref.group, ref.index));
    const values = await this.kv.getMany(keys);
    const out: (Uint8Array | Error)[] = [];
    const placed: { at: number; placement: Placement }[] = [];
    values.forEach((value, j) => {
      if (value === undefined) return out.push(new CorruptionError('the entry is not stored'));
      try {
        const stored = decodeStoredEntry(value, refs[j]!.index as LogIndex, keys[j]!);
        if (stored.placement !== undefined) placed.push({ at: j, placement: stored.placement });
        return out.push(stored.data ?? new Uint8Array(0));
      } catch (cause) {
        return out.push(cause as Error);
      }
    });
    if (placed.length === 0) return out;
    if (this.entryFiles === undefined) {
      for (const { at } of placed)
        out[at] = new CorruptionError('its data is in entry files this store has not opened');
      return out;
    }
    try {
      const data = await this.entryFiles.read(placed.map((p) => p.placement));
      placed.forEach(({ at }, k) => (out[at] = data[k]!));
    } catch (cause) {
      // A failing disk is not corruption: only a checksum mismatch is reported per batch.
      if (!(cause instanceof CorruptionError)) throw cause;
      for (const { at } of placed) out[at] = cause;
    }
    return out;
  }

  private refWhere(partition: PartitionId, e: KvEntry, ref: BatchRef): string {
    const { baseOffset } = decodePartitionBatchKey(e.key);
    return `partition ${partition}: batch at ${baseOffset} (entry ${ref.index} of group ${ref.group})`;
  }

  /** The batch a reference names, checked, from a copy of its bytes (its base offset set in place). */
  private batchInEntry(
    partition: PartitionId,
    e: KvEntry,
    ref: BatchRef,
    bytes: Uint8Array,
  ): RecordBatchView {
    const where = () => this.refWhere(partition, e, ref);
    let view: RecordBatchView;
    try {
      view = new RecordBatchView(bytes, this.limits);
    } catch (cause) {
      throw new CorruptionError(`${where()}: malformed`, { cause });
    }
    if (!view.verifyCrc()) throw new CorruptionError(`${where()}: fails its CRC32C`);
    if (view.lastOffsetDelta !== ref.lastOffsetDelta)
      throw new CorruptionError(`${where()}: does not end where its reference says`);
    return view.withBaseOffset(decodePartitionBatchKey(e.key).baseOffset, { inPlace: true });
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
   * Stages a move of the log start to `offset` (a fetch below it gets OFFSET_OUT_OF_RANGE). Reads
   * nothing, so it is right even when `offset` lies in batches staged in this same write batch (a
   * replica catching up applies appends and the leader's retention move in one ready cycle). The
   * stored batches below it are deleted later by `purgeStep`.
   */
  setLogStart(batch: StorageBatch, partition: PartitionId, offset: number): void {
    const p = this.stage(batch, partition);
    const s = p.state;
    if (offset <= s.logStartOffset) return;
    if (!Number.isSafeInteger(offset) || offset > s.nextOffset) {
      throw new RaftlogError(
        'OFFSET_OUT_OF_RANGE',
        `partition ${partition}: cannot move the log start to ${offset}, the log ends at ${s.nextOffset}`,
      );
    }
    p.state = { ...s, logStartOffset: offset };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
    batch.afterWrite(() => this.purgeDue.add(partition));
  }

  /** Partitions that may hold stored batches below their log start (for the background purge). */
  partitionsToPurge(): PartitionId[] {
    return [...this.purgeDue] as PartitionId[];
  }

  /**
   * Deletes, in its own write batch, stored batches that end at or before the log start: at most
   * `limits` of them (at least one), sizes and ends taken from the batch index, no batch read. Touches
   * nothing a ready cycle writes (the metadata, keys at or above the log start), so it runs beside
   * the cycles; unsynced, since a purge lost in a crash is simply done again.
   */
  async purgeStep(
    partition: PartitionId,
    limits: PurgeStepLimits = defaultPurgeStepLimits,
  ): Promise<PurgeStepResult> {
    const s = this.partitions.get(partition);
    if (s === undefined) {
      this.purgeDue.delete(partition);
      return { batches: 0, bytes: 0, more: false };
    }
    const logStart = s.logStartOffset;
    const position = this.purgedTo.get(partition);
    const doomed: number[] = [];
    let bytes = 0;
    let keep = 0;
    let more = false;
    const range = {
      gte: partitionBatchIndexKey(partition, Math.min(position?.offset ?? 0, logStart)),
      lt: partitionBatchIndexKey(partition, logStart),
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    await withIterator(this.kv, range, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        const entry = this.indexEntry(partition, e);
        if (entry.nextOffset > logStart) break;
        const n = doomed.length;
        if (n > 0 && (n >= limits.batchesMax || bytes + entry.sizeBytes > limits.bytesMax)) {
          more = true;
          break;
        }
        doomed.push(decodePartitionBatchIndexKey(e.key).baseOffset);
        bytes += entry.sizeBytes;
        keep = entry.nextOffset;
      }
    });
    const batch = new StorageBatch();
    if (doomed.length > 0) {
      // Point deletes of keys the index names: no iteration over the batches (nor their values).
      for (const base of doomed) {
        batch.kv.del(partitionBatchKey(partition, base));
        batch.kv.del(partitionBatchIndexKey(partition, base));
      }
      const timeKey = await this.trimSparseIndexBefore(
        batch,
        partitionTimeIndexRange(partition),
        timeIndexBase,
        keep,
        position?.timeKey,
      );
      const appendTimeKey = await this.trimSparseIndexBefore(
        batch,
        partitionAppendTimeIndexRange(partition),
        appendIndexBase,
        keep,
        position?.appendTimeKey,
      );
      batch.afterWrite(() => {
        // Unless a truncation or restart of the log replaced the position meanwhile.
        if (this.partitions.has(partition) && this.purgedTo.get(partition) === position)
          this.purgedTo.set(partition, { offset: keep, timeKey, appendTimeKey });
      });
    }
    const floor =
      doomed.length > 0 || !this.entryFloors.has(partition)
        ? await this.firstReferencedEntry(partition, keep)
        : this.entryFloors.get(partition);
    if (floor !== undefined && floor > 0 && this.archive !== undefined)
      more = this.archive.deleteArchived(batch, partition, floor, archivedDeletesMax) || more;
    if (!batch.isEmpty) await batch.commit(this.kv, { sync: false });
    if (floor !== undefined && this.partitions.has(partition)) this.raiseEntryFloor(partition, floor);
    const batches = doomed.length;
    // A log start moved meanwhile leaves the partition due for another step.
    if (!more && this.partitions.get(partition)?.logStartOffset === logStart) this.purgeDue.delete(partition);
    return { batches, bytes, more };
  }

  /**
   * The Raft index of the first batch from `offset` on that is a reference into its entry, looking
   * at up to `floorScanBatchesMax` index entries; undefined when none is found there (the floor then
   * stays where it was). Nothing stored can refer to an earlier entry: appends refer to ever later
   * ones, and compaction, truncation and gap fills only remove references or store copies.
   */
  private async firstReferencedEntry(partition: PartitionId, offset: number): Promise<number | undefined> {
    // References staged but not written yet name later entries than any written one.
    const written = this.referencedThrough.get(partition) ?? 0;
    const range = {
      gte: partitionBatchIndexKey(partition, offset),
      lt: partitionBatchIndexRange(partition).lt,
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    return withIterator(this.kv, range, async (it) => {
      for (let scanned = 0; scanned < floorScanBatchesMax; scanned++) {
        const e = await it.next();
        // No reference from `offset` to the end: none names an entry a written one did not pass.
        if (e === undefined) return written + 1;
        const entryIndex = this.indexEntry(partition, e).entryIndex;
        if (entryIndex > 0) return entryIndex;
      }
      return undefined;
    });
  }

  /**
   * After key compaction stored every batch below `offset` as a copy (or removed it): raises the
   * entry floor to the first reference from there on and deletes the archived entries below it, in
   * bounded write batches. Returns how many write batches that took.
   */
  async dropUnreferenced(partition: PartitionId, offset: number): Promise<number> {
    const floor = await this.firstReferencedEntry(partition, offset);
    if (floor === undefined || !this.partitions.has(partition)) return 0;
    this.raiseEntryFloor(partition, floor);
    if (this.archive === undefined) return 0;
    let writes = 0;
    for (let more = true; more; writes++) {
      const batch = new StorageBatch();
      more = this.archive.deleteArchived(batch, partition, this.entryFloor(partition), archivedDeletesMax);
      if (batch.isEmpty) break;
      await batch.commit(this.kv, { sync: false });
    }
    return writes;
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
    const first = await this.indexEntryAt(partition, next);
    if (first === undefined) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `partition ${partition}: ${offset} is not the last offset of a batch`,
      );
    }
    const maxTimestamp = await this.trimSparseIndexAfter(
      batch,
      partitionTimeIndexRange(partition),
      timeIndexEntry,
      offset,
    );
    const maxAppendTimeMs = await this.trimSparseIndexAfter(
      batch,
      partitionAppendTimeIndexRange(partition),
      appendIndexEntry,
      offset,
    );
    batch.assertOpen();
    this.bumpEpoch(partition);
    batch.kv.delRange(partitionBatchKey(partition, next), partitionBatchRange(partition).lt);
    batch.kv.delRange(partitionBatchIndexKey(partition, next), partitionBatchIndexRange(partition).lt);
    p.state = { ...s, nextOffset: next, appendedBytes: first.bytesBefore, maxTimestamp, maxAppendTimeMs };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
    batch.afterWrite(() => this.purgedTo.set(partition, { ...purgeFromStart }));
  }

  /**
   * Stages a restart of the log at `offset` for a replica whose stored log ends below it (everything
   * before `offset` was deleted by retention elsewhere): all stored batches go, and the log is empty
   * from `offset` on. With `discardStored` the offset may lie below the stored end: a replica throws
   * away its own copy to take another replica's compacted one whole (see cluster/README.md).
   */
  resetTo(
    batch: StorageBatch,
    partition: PartitionId,
    offset: number,
    options: { readonly discardStored?: boolean } = {},
  ): void {
    const p = this.stage(batch, partition);
    if (options.discardStored === true) {
      batch.kv.del(partitionCompactionKey(partition));
      batch.afterWrite(() => this.compaction.set(partition, noCompaction));
    } else if (offset < p.state.nextOffset) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `partition ${partition}: cannot restart at ${offset}, the log already ends at ${p.state.nextOffset}`,
      );
    }
    this.bumpEpoch(partition);
    for (const range of dataRanges(partition)) batch.kv.delRange(range.gte, range.lt);
    p.state = { ...p.state, ...emptyPartition, logStartOffset: offset, nextOffset: offset };
    batch.kv.put(partitionMetaKey(partition), encodeMeta(p.state));
    // New index entries may sort before where an earlier purge stopped.
    batch.afterWrite(() => this.purgedTo.set(partition, { ...purgeFromStart }));
  }

  /** Stages the removal of everything stored for a partition (it left this node, or its topic was deleted). */
  deletePartition(batch: StorageBatch, partition: PartitionId): void {
    batch.assertOpen();
    this.bumpEpoch(partition);
    for (const range of dataRanges(partition)) batch.kv.delRange(range.gte, range.lt);
    batch.kv.del(partitionMetaKey(partition));
    batch.kv.del(partitionCompactionKey(partition));
    batch.afterWrite(() => {
      this.compaction.delete(partition);
      this.partitions.delete(partition);
      this.purgeDue.delete(partition);
      this.purgedTo.delete(partition);
      this.entryFloors.delete(partition);
      this.referencedThrough.delete(partition);
    });
  }

  /** Bytes of the stored batches from the one holding the log start to the end: one index seek. */
  async retainedBytes(partition: PartitionId): Promise<number> {
    const info = await this.info(partition);
    if (info.logStartOffset === info.nextOffset) return 0;
    const first = await this.indexEntryHolding(partition, info.logStartOffset, info);
    return info.appendedBytes - first.entry.bytesBefore;
  }

  /**
   * The log start that keeps at most `retentionBytesMax` (whole batches): the first batch whose
   * running byte total leaves no more than that after it. Reads the batch index only, at most
   * `scanBatchesMax` entries; a larger excess moves the log start that far and the next pass goes on.
   */
  async retentionCutoffByBytes(
    partition: PartitionId,
    retentionBytesMax: number,
    scanBatchesMax = retentionScanBatchesMaxDefault,
  ): Promise<number> {
    const info = await this.info(partition);
    const target = info.appendedBytes - retentionBytesMax;
    if (info.logStartOffset === info.nextOffset) return info.logStartOffset;
    const first = await this.indexEntryHolding(partition, info.logStartOffset, info);
    if (first.entry.bytesBefore >= target) return info.logStartOffset;
    const range = {
      gte: partitionBatchIndexKey(partition, first.baseOffset),
      lt: partitionBatchIndexKey(partition, info.nextOffset),
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    return withIterator(this.kv, range, async (it) => {
      let cutoff = info.logStartOffset;
      let scanned = 0;
      for (let e = await it.next(); e !== undefined && scanned < scanBatchesMax; e = await it.next()) {
        const entry = this.indexEntry(partition, e);
        if (entry.bytesBefore >= target)
          return Math.max(cutoff, decodePartitionBatchIndexKey(e.key).baseOffset);
        cutoff = entry.nextOffset;
        scanned++;
      }
      return cutoff;
    });
  }

  /**
   * The log start that drops every batch appended before `olderThanMs` (by the leader's append time,
   * not the records' own timestamps, which a client sets): one seek on the append time index.
   */
  async retentionCutoffByAppendTime(partition: PartitionId, olderThanMs: number): Promise<number> {
    const info = await this.info(partition);
    if (info.logStartOffset === info.nextOffset) return info.logStartOffset;
    if (olderThanMs > info.maxAppendTimeMs) return info.nextOffset;
    const hit = await firstInRange(this.kv, {
      gte: partitionAppendTimeIndexKey(partition, Math.max(0, olderThanMs), 0),
      lt: partitionAppendTimeIndexRange(partition).lt,
      keysOnly: true,
    });
    const base = hit === undefined ? info.nextOffset : decodePartitionAppendTimeIndexKey(hit.key).baseOffset;
    return Math.max(base, info.logStartOffset);
  }

  /**
   * The stored batch holding `offset`, or below the compacted part's end the first one after it when
   * compaction removed that batch (undefined when none is stored before the end).
   */
  private async rowAtOrAfter(
    partition: PartitionId,
    offset: number,
    info: PartitionInfo,
  ): Promise<{ e: KvEntry; shape: StoredShape } | undefined> {
    const before = await firstInRange(this.kv, {
      gte: partitionBatchRange(partition).gte,
      lte: partitionBatchKey(partition, offset),
      reverse: true,
    });
    const holding = before === undefined ? undefined : this.storedShape(partition, before);
    if (before !== undefined && holding !== undefined && holding.nextOffset > offset)
      return { e: before, shape: holding };
    if (offset >= this.compactionState(partition).gapsBelow) {
      throw new CorruptionError(
        `partition ${partition}: no stored batch holds offset ${offset}${where(info)}`,
      );
    }
    const after = await firstInRange(this.kv, {
      gt: partitionBatchKey(partition, offset),
      lt: partitionBatchKey(partition, info.nextOffset),
    });
    return after === undefined ? undefined : { e: after, shape: this.storedShape(partition, after) };
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
    const view = e === undefined ? undefined : await this.resolved(partition, e);
    if (view === undefined || view.lastOffset < offset) {
      throw new CorruptionError(
        `partition ${partition}: no stored batch holds offset ${offset}${where(state)}`,
      );
    }
    return view;
  }

  /** The batch index entry of the batch holding `offset`: one reverse seek. */
  private async indexEntryHolding(
    partition: PartitionId,
    offset: number,
    state: PartitionInfo,
  ): Promise<{ baseOffset: number; entry: BatchIndexEntry }> {
    const e = await firstInRange(this.kv, {
      gte: partitionBatchIndexRange(partition).gte,
      lte: partitionBatchIndexKey(partition, offset),
      reverse: true,
    });
    const entry = e === undefined ? undefined : this.indexEntry(partition, e);
    if (
      (e === undefined || entry === undefined || entry.nextOffset <= offset) &&
      offset < this.compactionState(partition).gapsBelow
    ) {
      const next = await firstInRange(this.kv, {
        gt: partitionBatchIndexKey(partition, offset),
        lt: partitionBatchIndexKey(partition, state.nextOffset),
      });
      if (next !== undefined)
        return {
          baseOffset: decodePartitionBatchIndexKey(next.key).baseOffset,
          entry: this.indexEntry(partition, next),
        };
      // Compaction removed every batch from `offset` to the end: nothing is stored there.
      const end = { nextOffset: state.nextOffset, sizeBytes: 0, bytesBefore: state.appendedBytes };
      return {
        baseOffset: state.nextOffset,
        entry: { ...end, appendTimeMs: -1, maxTimestamp: -1, entryIndex: 0 },
      };
    }
    if (e === undefined || entry === undefined || entry.nextOffset <= offset) {
      throw new CorruptionError(
        `partition ${partition}: no batch index entry holds offset ${offset}${where(state)}`,
      );
    }
    return { baseOffset: decodePartitionBatchIndexKey(e.key).baseOffset, entry };
  }

  private async indexEntryAt(
    partition: PartitionId,
    baseOffset: number,
  ): Promise<BatchIndexEntry | undefined> {
    const value = await this.kv.get(partitionBatchIndexKey(partition, baseOffset));
    return value === undefined ? undefined : this.indexEntry(partition, { key: new Uint8Array(0), value });
  }

  private indexEntry(partition: PartitionId, e: KvEntry): BatchIndexEntry {
    try {
      return decodeBatchIndexEntry(e.value);
    } catch (cause) {
      throw new CorruptionError(`partition ${partition}: ${(cause as Error).message}`, { cause });
    }
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

  /**
   * The first record at or after `from` stamped `timestamp` or later. Walks the batch index (small
   * values) to the first batch whose maxTimestamp reaches it and reads only that batch; usually the
   * batch holding `from` is that batch, since the time index pointed there.
   */
  private async firstRecordAtOrAfter(
    partition: PartitionId,
    from: number,
    timestamp: number,
    end: number,
  ): Promise<{ offset: number; timestamp: number } | undefined> {
    const info = await this.info(partition);
    const start = (await this.indexEntryHolding(partition, from, info)).baseOffset;
    const range = {
      gte: partitionBatchIndexKey(partition, start),
      lt: partitionBatchIndexKey(partition, end),
      highWaterMarkBytes: scanHighWaterMarkBytes,
    };
    return withIterator(this.kv, range, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        if (this.indexEntry(partition, e).maxTimestamp < timestamp) continue;
        const base = decodePartitionBatchIndexKey(e.key).baseOffset;
        const view = await this.batchContaining(partition, base);
        for (const r of view.records()) {
          if (r.offset >= from && r.timestamp >= timestamp)
            return { offset: r.offset, timestamp: r.timestamp };
        }
      }
      return undefined;
    });
  }

  /**
   * Deletes a sparse index's entries of batches before `keep`, except the last one: it still carries
   * the maximum reached before `keep`, which lookups then clamp to the log start. Starts at `from`
   * (the entry an earlier step kept) and returns the entry it keeps.
   */
  private async trimSparseIndexBefore(
    batch: StorageBatch,
    range: KeyRange,
    baseOf: (key: Uint8Array) => number,
    keep: number,
    from: Uint8Array | undefined,
  ): Promise<Uint8Array | undefined> {
    const doomed: Uint8Array[] = [];
    await withIterator(
      this.kv,
      { gte: from ?? range.gte, lt: range.lt, keysOnly: true, highWaterMarkBytes: scanHighWaterMarkBytes },
      async (it) => {
        for (let e = await it.next(); e !== undefined; e = await it.next()) {
          if (baseOf(e.key) >= keep) break;
          doomed.push(e.key);
        }
      },
    );
    batch.assertOpen();
    for (const key of doomed.slice(0, -1)) batch.kv.del(key);
    return doomed[doomed.length - 1] ?? from;
  }

  /** Deletes a sparse index's entries of batches after `offset`; returns the maximum that remains. */
  private async trimSparseIndexAfter(
    batch: StorageBatch,
    range: KeyRange,
    decode: (key: Uint8Array) => { time: number; baseOffset: number },
    offset: number,
  ): Promise<number> {
    let remaining = -1;
    const doomed: Uint8Array[] = [];
    await withIterator(this.kv, { ...range, reverse: true, keysOnly: true }, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        const k = decode(e.key);
        if (k.baseOffset <= offset) {
          remaining = k.time;
          break;
        }
        doomed.push(e.key);
      }
    });
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

/** Where a stored batch starts and ends, its size, and its reference when it is one. */
interface StoredShape {
  readonly baseOffset: number;
  readonly nextOffset: number;
  readonly sizeBytes: number;
  readonly ref: BatchRef | undefined;
}

/** Where a partition's last purge step stopped, in the batch index and in each sparse index. */
interface PurgePosition {
  readonly offset: number;
  readonly timeKey: Uint8Array | undefined;
  readonly appendTimeKey: Uint8Array | undefined;
}

/**
 * Set (as a fresh object) when the log is truncated or restarted, so a purge step in progress sees
 * its position was replaced and does not store where it stopped.
 */
const purgeFromStart: PurgePosition = { offset: 0, timeKey: undefined, appendTimeKey: undefined };

function timeIndexBase(key: Uint8Array): number {
  return decodePartitionTimeIndexKey(key).baseOffset;
}

function appendIndexBase(key: Uint8Array): number {
  return decodePartitionAppendTimeIndexKey(key).baseOffset;
}

function timeIndexEntry(key: Uint8Array): { time: number; baseOffset: number } {
  const k = decodePartitionTimeIndexKey(key);
  return { time: k.timestamp, baseOffset: k.baseOffset };
}

function appendIndexEntry(key: Uint8Array): { time: number; baseOffset: number } {
  const k = decodePartitionAppendTimeIndexKey(key);
  return { time: k.appendTimeMs, baseOffset: k.baseOffset };
}

/** Every keyspace holding a partition's data (all but its metadata). */
function dataRanges(partition: PartitionId): KeyRange[] {
  return [
    partitionBatchRange(partition),
    partitionBatchIndexRange(partition),
    partitionTimeIndexRange(partition),
    partitionAppendTimeIndexRange(partition),
  ];
}

function where(state: PartitionInfo | undefined): string {
  return state === undefined ? '' : ` (log ${state.logStartOffset}..${state.nextOffset})`;
}

function checkAppendTime(appendTimeMs: number): void {
  if (!Number.isSafeInteger(appendTimeMs) || appendTimeMs < 0) {
    throw new RaftlogError('INVALID_ARGUMENT', `append time ${appendTimeMs} is not a time in ms`);
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
