import {
  assert,
  retainRecords,
  RecordBatchView,
  type DecodedRecord,
  type PartitionId,
} from '../lib/index.js';
import type { KvStore } from './kv/index.js';
import { partitionBatchIndexKey, partitionBatchKey, partitionBatchRange, raftEntryRange } from './keys.js';
import { StorageBatch } from './storage-batch.js';
import type { CompactionState, CompactionTarget } from './compaction-state.js';

/** What one compaction step (one write batch) reads at most: batches and bytes, at least one batch. */
export type CompactionStepLimits = Readonly<Record<'batchesMax' | 'bytesMax', number>>;

/** What a pass needs of the partition store (PartitionStore). */
export interface CompactedStore {
  info(partition: PartitionId): Promise<{ readonly logStartOffset: number; readonly nextOffset: number }>;
  read(
    partition: PartitionId,
    fromOffset: number,
    bytesMax: number,
  ): Promise<{ readonly batches: Uint8Array[]; readonly referenced: boolean[] }>;
  epoch(partition: PartitionId): number;
  compactionState(partition: PartitionId): CompactionState;
  stageCompactionState(batch: StorageBatch, partition: PartitionId, state: CompactionState): void;
}

export const defaultCompactionStepLimits: CompactionStepLimits = {
  batchesMax: 256,
  bytesMax: 4 * 1024 * 1024,
};

export interface CompactionPassOptions {
  /** Memory for the key → newest offset map; a pass that would exceed it stops earlier and the next goes on. */
  readonly keyMapBytesMax?: number;
  /** Whether a transactional batch belongs to an aborted transaction (its records are dropped). */
  readonly isAborted?: (producerId: number, offset: number) => boolean;
}

export const compactionKeyMapBytesMaxDefault = 64 * 1024 * 1024;
/** What one map entry costs beside its key bytes (a deterministic estimate). */
const keyMapEntryBytes = 64;

export interface CompactionStepResult {
  readonly batchesRead: number;
  readonly bytesRead: number;
  /** Stored bytes removed by this step (dropped records and batches). */
  readonly bytesFreed: number;
  /** False once the pass is complete (or was given up because the log was replaced under it). */
  readonly more: boolean;
}

type Phase = 'map' | 'rewrite' | 'done';

/** A batch read by a pass, and whether the store keeps it as a reference into its Raft entry. */
interface PassBatch {
  readonly view: RecordBatchView;
  readonly referenced: boolean;
}

/**
 * One key compaction pass of one partition toward a replicated target, in bounded steps the caller
 * runs off the ready cycle. First it maps every key of the part not yet compacted on this store (from
 * where the last pass ended to `upToOffset`) to its newest offset; then it walks the log from the log
 * start to `upToOffset` and rewrites each batch keeping, per key, only that newest record, minus a
 * tombstone below `tombstonesBeforeOffset`. Control batches stay; aborted transactional data goes.
 *
 * A record is dropped iff a newer record of its key lies below the end, or it is such a newest record
 * and a tombstone below the tombstone bound. Applying passes with growing bounds one after the other
 * therefore leaves exactly what the last pass alone leaves, and a pass over data already compacted
 * further changes nothing: replicas that start from different points (a follower filled from a
 * compacted leader) end byte-identical. Each step is one write batch; writes touch only stored
 * batches below the end (the active tail, which appends write, is never touched).
 */
export class CompactionPass {
  private phase: Phase = 'map';
  private readonly newest = new Map<string, number>();
  private keyMapBytes = 0;
  private cursor: number;
  private end: number;
  private tombstonesBefore: number;
  private readonly epoch: number;
  private readonly keyMapBytesMax: number;
  private wroteGaps = false;
  private finished = false;

  constructor(
    private readonly kv: KvStore,
    private readonly store: CompactedStore,
    private readonly partition: PartitionId,
    target: CompactionTarget,
    private readonly options: CompactionPassOptions = {},
  ) {
    this.epoch = store.epoch(partition);
    this.keyMapBytesMax = options.keyMapBytesMax ?? compactionKeyMapBytesMaxDefault;
    this.end = target.upToOffset;
    this.tombstonesBefore = Math.min(target.tombstonesBeforeOffset, target.upToOffset);
    this.cursor = store.compactionState(partition).done.upToOffset;
  }

  /**
   * Whether the pass wrote its last step: every batch below `reached.upToOffset` is then stored as a
   * copy or gone, none as a reference (false for a pass given up because the log was replaced).
   */
  get completed(): boolean {
    return this.finished;
  }

  /** The bounds this pass compacts to (lower than the target when the key map filled up). */
  get reached(): CompactionTarget {
    return { upToOffset: this.end, tombstonesBeforeOffset: this.tombstonesBefore };
  }

  async step(limits: CompactionStepLimits = defaultCompactionStepLimits): Promise<CompactionStepResult> {
    if (this.phase === 'done' || this.store.epoch(this.partition) !== this.epoch) {
      this.phase = 'done';
      return { batchesRead: 0, bytesRead: 0, bytesFreed: 0, more: false };
    }
    const info = await this.store.info(this.partition);
    this.end = Math.min(this.end, info.nextOffset);
    this.tombstonesBefore = Math.min(this.tombstonesBefore, this.end);
    const from = Math.max(this.cursor, info.logStartOffset);
    const read = from >= this.end ? [] : await this.batches(from, limits);
    const result =
      this.phase === 'map'
        ? this.mapStep(
            read.map((b) => b.view),
            info.logStartOffset,
          )
        : await this.rewriteStep(read);
    return { ...result, more: !this.isDone() };
  }

  private isDone(): boolean {
    return this.phase === 'done';
  }

  /** Whole batches from `from` up to the end, within the step's limits. */
  private async batches(from: number, limits: CompactionStepLimits): Promise<PassBatch[]> {
    const read = await this.store.read(this.partition, from, limits.bytesMax);
    const out: PassBatch[] = [];
    for (const [i, bytes] of read.batches.entries()) {
      const view = new RecordBatchView(bytes);
      if (view.nextOffset > this.end || out.length >= limits.batchesMax) break;
      out.push({ view, referenced: read.referenced[i] === true });
    }
    return out;
  }

  private mapStep(views: RecordBatchView[], logStart: number): Omit<CompactionStepResult, 'more'> {
    let bytesRead = 0;
    for (const view of views) {
      const worst = view.sizeBytes + view.recordCount * keyMapEntryBytes;
      if (this.keyMapBytes + worst > this.keyMapBytesMax && this.newest.size > 0) {
        // The map is full: compact up to here now, the rest in a later pass.
        this.end = view.baseOffset;
        this.tombstonesBefore = Math.min(this.tombstonesBefore, this.end);
        break;
      }
      bytesRead += view.sizeBytes;
      this.cursor = view.nextOffset;
      if (view.isControl || this.aborted(view)) continue;
      for (const r of view.records()) this.remember(r);
    }
    if (views.length === 0 || this.cursor >= this.end || bytesRead < sum(views)) {
      this.phase = 'rewrite';
      this.cursor = logStart;
    }
    return { batchesRead: views.length, bytesRead, bytesFreed: 0 };
  }

  private remember(r: DecodedRecord): void {
    if (r.key === null) return;
    const key = keyString(r.key);
    if (!this.newest.has(key)) this.keyMapBytes += r.key.length + keyMapEntryBytes;
    this.newest.set(key, r.offset);
  }

  private async rewriteStep(read: PassBatch[]): Promise<Omit<CompactionStepResult, 'more'>> {
    const batch = new StorageBatch();
    let bytesRead = 0;
    let bytesFreed = 0;
    for (const b of read) {
      bytesRead += b.view.sizeBytes;
      bytesFreed += this.rewrite(batch, b);
      this.cursor = b.view.nextOffset;
    }
    const views = read.map((b) => b.view);
    const finished = views.length === 0 || this.cursor >= this.end;
    const state = this.store.compactionState(this.partition);
    if (!this.wroteGaps || finished) {
      // Readers may meet gaps below the end from the first write on; the pass is done once all is written.
      const done = finished ? this.reached : state.done;
      const gapsBelow = Math.max(state.gapsBelow, this.end);
      this.store.stageCompactionState(batch, this.partition, { gapsBelow, done });
      this.wroteGaps = true;
    }
    batch.beforeWrite(() => assert(this.store.epoch(this.partition) === this.epoch, 'log replaced mid-step'));
    if (this.store.epoch(this.partition) !== this.epoch) {
      this.phase = 'done';
      return { batchesRead: views.length, bytesRead, bytesFreed: 0 };
    }
    await batch.commit(this.kv, { sync: false });
    if (finished) {
      this.phase = 'done';
      this.finished = true;
    }
    return { batchesRead: views.length, bytesRead, bytesFreed };
  }

  /**
   * Stages the compacted form of one batch; returns the bytes it frees. A batch kept whole that the
   * store holds as a reference becomes a copy, so the compacted part refers to no Raft entry and the
   * log may drop them all.
   */
  private rewrite(batch: StorageBatch, { view, referenced }: PassBatch): number {
    const key = partitionBatchKey(this.partition, view.baseOffset);
    const aborted = !view.isControl && this.aborted(view);
    const kept = view.isControl
      ? ({ kind: 'all' } as const)
      : retainRecords(view, (r) => !aborted && this.keeps(r));
    if (kept.kind === 'all') {
      if (referenced) batch.kv.put(key, view.bytes);
      return 0;
    }
    if (kept.kind === 'none') {
      batch.kv.del(key);
      batch.kv.del(partitionBatchIndexKey(this.partition, view.baseOffset));
      return view.sizeBytes;
    }
    batch.kv.put(key, kept.bytes);
    return view.sizeBytes - kept.bytes.length;
  }

  private keeps(r: DecodedRecord): boolean {
    if (r.key === null) return true;
    const newest = this.newest.get(keyString(r.key));
    if (newest !== undefined && newest > r.offset) return false;
    return !(r.value === null && r.offset < this.tombstonesBefore);
  }

  private aborted(view: RecordBatchView): boolean {
    return view.isTransactional && (this.options.isAborted?.(view.producerId, view.baseOffset) ?? false);
  }
}

/**
 * Compacts the engine's files over a partition's batches and its group's Raft entries (a partition's
 * group has its id), so removed data leaves the disk.
 */
export async function reclaimPartitionSpace(kv: KvStore, partition: PartitionId): Promise<void> {
  for (const range of [partitionBatchRange(partition), raftEntryRange(partition)]) {
    await kv.compactRange?.(range.gte, range.lt);
  }
}

function keyString(key: Uint8Array): string {
  return Buffer.from(key.buffer, key.byteOffset, key.byteLength).toString('latin1');
}

function sum(views: readonly RecordBatchView[]): number {
  return views.reduce((n, v) => n + v.sizeBytes, 0);
}
