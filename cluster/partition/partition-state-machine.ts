import {
  assert,
  assertNever,
  checkRecordBatch,
  RaftlogError,
  RecordBatchView,
  type ErrorCode,
} from '../../lib/index.js';
import { readMarkerType } from './control-record.js';
import {
  defaultPartitionLimits,
  partitionLimitsMax,
  type AbortedTransaction,
  type ApplyContext,
  type CompactionBounds,
  type PartitionCommand,
  type PartitionLimits,
  type PartitionResult,
  producerBatchBytes,
  producerEntryBytes,
} from './partition-types.js';
import {
  bumpEpoch,
  checkSequence,
  newProducerEntry,
  recordBatch,
  type ProducerEntry,
} from './producer-state.js';
import type { BatchMetadata } from './batch-window.js';
import { QueueBook } from './queue-book.js';
import type {
  QueueDeleteCommand,
  QueueGroupData,
  QueueLeaseCommand,
  QueueSettleCommand,
} from './queue-types.js';
import { lastSequenceOf } from './sequence.js';

/** Rejections travel as RaftlogError up to apply, which turns them into a result. */
function reject(code: ErrorCode, message: string): never {
  throw new RaftlogError(code, message);
}

const noBytes = new Uint8Array(0);

function entryBytes(entry: ProducerEntry): number {
  return producerEntryBytes + entry.batches.length * producerBatchBytes;
}

/** Everything a snapshot holds; the state machine is rebuilt from exactly this. */
export interface PartitionStateData {
  readonly limits: PartitionLimits;
  readonly appliedIndex: number;
  readonly logStartOffset: number;
  readonly nextOffset: number;
  readonly lastTimestampMs: number;
  /** In least-recently-active-first order. */
  readonly producers: readonly ProducerEntry[];
  /** In marker order (ascending lastOffset). */
  readonly aborted: readonly AbortedTransaction[];
  /** The latest key compaction decision (zeros for none, and for snapshots written before it). */
  readonly compaction: CompactionBounds;
  /** Queue groups' cursors and unsettled messages (none for snapshots written before queues). */
  readonly queues: readonly QueueGroupData[];
  /** The highest lease id of a deleted queue group (0 for none, and for snapshots written before it). */
  readonly queueLeaseIdFloor: number;
}

export function validatePartitionLimits(limits: PartitionLimits): void {
  for (const key of [
    'dedupHorizonBatches',
    'producerIdleMsMax',
    'producerStateBytesMax',
    'openTransactionsMax',
  ] as const) {
    const value = limits[key];
    if (!Number.isSafeInteger(value) || value < 1 || value > partitionLimitsMax[key]) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `${key} must be an integer in [1, ${partitionLimitsMax[key]}]`,
      );
    }
  }
  const oneProducerBytes = producerEntryBytes + limits.dedupHorizonBatches * producerBatchBytes;
  if (limits.producerStateBytesMax < oneProducerBytes) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `producerStateBytesMax must hold at least one producer with a full horizon (${oneProducerBytes} bytes)`,
    );
  }
}

/**
 * The state every replica of a partition computes from the committed entries of its Raft group:
 * offsets, per-producer idempotence state, open transactions and aborted ranges. Deterministic:
 * the only inputs are the entries and the leader's timestamps in them. Mutated in place for speed;
 * if storing what an apply returned fails, the node must restart from its last snapshot and replay.
 */
export class PartitionStateMachine {
  readonly limits: PartitionLimits;
  private appliedIndexValue: number;
  private logStart: number;
  private next: number;
  private lastTimestamp: number;
  /** Map order is recency: an entry is re-inserted on every batch, so the first one is the idlest. */
  private readonly producers = new Map<number, ProducerEntry>();
  /** Accounted bytes of `producers`, kept against producerStateBytesMax. */
  private producerBytes = 0;
  /** Producer id to first offset; insertion order is first-offset order, so the first is the oldest. */
  private readonly openTxns = new Map<number, number>();
  private readonly aborted: AbortedTransaction[];
  private compaction: CompactionBounds = { upToOffset: 0, tombstonesBeforeOffset: 0 };
  private queueBook = new QueueBook();

  constructor(limits: Partial<PartitionLimits> = {}) {
    this.limits = { ...defaultPartitionLimits, ...limits };
    validatePartitionLimits(this.limits);
    this.appliedIndexValue = 0;
    this.logStart = 0;
    this.next = 0;
    this.lastTimestamp = -1;
    this.aborted = [];
  }

  static fromData(data: PartitionStateData): PartitionStateMachine {
    const sm = new PartitionStateMachine(data.limits);
    sm.appliedIndexValue = data.appliedIndex;
    sm.logStart = data.logStartOffset;
    sm.next = data.nextOffset;
    sm.lastTimestamp = data.lastTimestampMs;
    for (const p of data.producers) {
      sm.producers.set(p.producerId, { ...p, batches: p.batches.copy() });
      sm.producerBytes += entryBytes(p);
    }
    const open = data.producers.filter((p) => p.openTxnFirstOffset >= 0);
    open.sort((a, b) => a.openTxnFirstOffset - b.openTxnFirstOffset);
    for (const p of open) sm.openTxns.set(p.producerId, p.openTxnFirstOffset);
    sm.aborted.push(...data.aborted);
    sm.compaction = data.compaction;
    sm.queueBook = QueueBook.fromData(data.queues, data.queueLeaseIdFloor);
    return sm;
  }

  /** The state as plain data for a snapshot; it shares the live entries, so encode it before the next apply. */
  toData(): PartitionStateData {
    return {
      limits: this.limits,
      appliedIndex: this.appliedIndexValue,
      logStartOffset: this.logStart,
      nextOffset: this.next,
      lastTimestampMs: this.lastTimestamp,
      producers: [...this.producers.values()],
      aborted: this.aborted,
      compaction: this.compaction,
      queues: this.queueBook.toData(),
      queueLeaseIdFloor: this.queueBook.leaseIdFloor,
    };
  }

  /** Queue groups, read-only for the leader's lease planning and stats. */
  get queues(): Pick<QueueBook, 'group' | 'names'> {
    return this.queueBook;
  }

  get appliedIndex(): number {
    return this.appliedIndexValue;
  }
  get logStartOffset(): number {
    return this.logStart;
  }
  get nextOffset(): number {
    return this.next;
  }
  /** Only committed entries are applied, so everything applied is replicated: HWM = next offset. */
  get highWatermark(): number {
    return this.next;
  }
  /** read_committed readers stop here: the first offset of the oldest open transaction, or the HWM. */
  get lastStableOffset(): number {
    for (const first of this.openTxns.values()) return first;
    return this.next;
  }
  /** What key compaction every replica's store must reach (the latest decision applied). */
  get compactionTarget(): CompactionBounds {
    return this.compaction;
  }
  get producerCount(): number {
    return this.producers.size;
  }
  get openTransactionCount(): number {
    return this.openTxns.size;
  }

  producer(producerId: number): Readonly<Omit<ProducerEntry, 'batches'>> | undefined {
    const p = this.producers.get(producerId);
    return p === undefined ? undefined : { ...p };
  }

  /** Aborted transactions overlapping [fromOffset, toOffset), for a read_committed fetch. */
  abortedTransactions(fromOffset: number, toOffset: number): AbortedTransaction[] {
    let lo = 0;
    let hi = this.aborted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.aborted[mid]!.lastOffset < fromOffset) lo = mid + 1;
      else hi = mid;
    }
    const found: AbortedTransaction[] = [];
    for (let i = lo; i < this.aborted.length; i++) {
      const a = this.aborted[i]!;
      if (a.firstOffset < toOffset) found.push(a);
    }
    return found;
  }

  /**
   * Records an entry that carries no partition command (the empty entry of a new leader, a
   * configuration change, data that does not decode) so the applied index keeps up with the log.
   */
  skip(index: number): void {
    assert(
      Number.isSafeInteger(index) && index > this.appliedIndexValue,
      `partition entry ${index} applied after ${this.appliedIndexValue}`,
    );
    this.appliedIndexValue = index;
  }

  apply(command: PartitionCommand, ctx: ApplyContext): PartitionResult {
    assert(Number.isSafeInteger(ctx.timestampMs), `timestamp ${ctx.timestampMs} is not an integer`);
    this.skip(ctx.index);
    this.expireIdleProducers(ctx.timestampMs);
    try {
      switch (command.type) {
        case 'append':
          return this.append(command.batch, ctx.timestampMs);
        case 'set-log-start-offset':
          return this.setLogStartOffset(command.logStartOffset);
        case 'compact':
          return this.compact(command);
        case 'queue-lease':
          return this.queueLease(command, ctx.timestampMs);
        case 'queue-settle':
          return this.queueSettle(command, ctx.timestampMs);
        case 'queue-delete':
          return this.queueDelete(command);
        default:
          return assertNever(command, 'partition command');
      }
    } catch (error) {
      if (error instanceof RaftlogError) return { ok: false, code: error.code, message: error.message };
      throw error;
    }
  }

  /**
   * Judges the committed bytes in full before anything reads them: a leader checks the same before
   * proposing, but an entry in the log can hold anything (an older leader, a damaged disk), and a
   * batch that later breaks a reader (the store's time index, a consumer) must never be stored.
   * Deterministic, so every replica rejects the same entries.
   */
  private parse(bytes: Uint8Array): RecordBatchView {
    let batch: RecordBatchView;
    try {
      batch = new RecordBatchView(bytes);
      if (batch.recordCount === 0)
        reject('CORRUPT_MESSAGE', 'an appended batch must hold at least one record');
      checkRecordBatch(batch);
    } catch (error) {
      const { code, message } = RaftlogError.from(error, 'CORRUPT_MESSAGE');
      reject(code, message);
    }
    return batch;
  }

  private append(bytes: Uint8Array, timestampMs: number): PartitionResult {
    const batch = this.parse(bytes);
    const pid = batch.producerId;
    if (batch.isControl) return this.appendMarker(batch, timestampMs);
    if (pid < 0) {
      if (batch.isTransactional) reject('INVALID_ARGUMENT', 'a transactional batch needs a producer id');
      return this.commit(batch, timestampMs);
    }
    const epoch = batch.producerEpoch;
    const baseSequence = batch.baseSequence;
    if (epoch < 0 || baseSequence < 0) {
      reject('INVALID_ARGUMENT', `producer ${pid} sent epoch ${epoch} and sequence ${baseSequence}`);
    }
    const lastSequence = lastSequenceOf(baseSequence, batch.recordCount);
    const entry = this.producers.get(pid);
    const decision = checkSequence(entry, epoch, baseSequence, lastSequence);
    if (decision.kind === 'reject') reject(decision.code, decision.message);
    if (decision.kind === 'duplicate') {
      const { baseOffset } = decision.original;
      const lastOffset = baseOffset + batch.recordCount - 1;
      return {
        ok: true,
        type: 'appended',
        baseOffset,
        lastOffset,
        logAppendTimeMs: -1,
        duplicate: true,
        batch: noBytes,
      };
    }
    const openFirst = entry?.openTxnFirstOffset ?? -1;
    if (entry !== undefined && epoch > entry.epoch && openFirst >= 0) {
      reject(
        'INVALID_TXN_STATE',
        `producer ${pid} has a transaction of epoch ${entry.epoch} awaiting its marker`,
      );
    }
    if (batch.isTransactional && openFirst < 0 && this.openTxns.size >= this.limits.openTransactionsMax) {
      reject('RESOURCE_EXHAUSTED', `partition has ${this.openTxns.size} open transactions, the most allowed`);
    }
    if (!batch.isTransactional && openFirst >= 0) {
      reject('INVALID_TXN_STATE', `producer ${pid} sent a non-transactional batch inside a transaction`);
    }
    // The last refusal: from here on the append happens, so nothing may be half done before it.
    const growth =
      entry === undefined
        ? producerEntryBytes + producerBatchBytes
        : entry.batches.length < this.limits.dedupHorizonBatches || epoch > entry.epoch
          ? producerBatchBytes
          : 0;
    this.makeRoom(growth, entry);
    const target = entry ?? this.admitProducer(pid, epoch, timestampMs);
    if (epoch > target.epoch) this.bump(target, epoch);
    const baseOffset = this.next;
    if (batch.isTransactional && openFirst < 0) {
      target.openTxnFirstOffset = baseOffset;
      this.openTxns.set(pid, baseOffset);
    }
    this.remember(target, { baseSequence, lastSequence, baseOffset });
    this.touch(target, timestampMs);
    return this.commit(batch, timestampMs);
  }

  private appendMarker(batch: RecordBatchView, timestampMs: number): PartitionResult {
    const pid = batch.producerId;
    const epoch = batch.producerEpoch;
    if (pid < 0 || epoch < 0 || !batch.isTransactional) {
      reject(
        'INVALID_ARGUMENT',
        'a transaction marker needs a producer id, an epoch and the transactional bit',
      );
    }
    let marker: ReturnType<typeof readMarkerType>;
    try {
      marker = readMarkerType(batch);
    } catch (error) {
      const { code, message } = RaftlogError.from(error, 'CORRUPT_MESSAGE');
      reject(code, message);
    }
    const entry = this.producers.get(pid);
    if (entry !== undefined && epoch < entry.epoch) {
      reject('PRODUCER_FENCED', `marker epoch ${epoch} is older than producer ${pid}'s epoch ${entry.epoch}`);
    }
    if (entry === undefined) this.makeRoom(producerEntryBytes, undefined);
    const target = entry ?? this.admitProducer(pid, epoch, timestampMs);
    const markerOffset = this.next;
    const first = target.openTxnFirstOffset;
    if (first >= 0) {
      this.openTxns.delete(pid);
      target.openTxnFirstOffset = -1;
      if (marker === 'abort')
        this.aborted.push({ producerId: pid, firstOffset: first, lastOffset: markerOffset });
    }
    this.queueBook.endTransaction(pid, marker === 'commit', timestampMs);
    // A coordinator that aborts on a timeout bumps the epoch: the old producer is fenced from here on.
    if (epoch > target.epoch) this.bump(target, epoch);
    this.touch(target, timestampMs);
    return this.commit(batch, timestampMs);
  }

  /** Adds a producer; the caller made room for it (makeRoom) before changing anything. */
  private admitProducer(pid: number, epoch: number, timestampMs: number): ProducerEntry {
    const entry = newProducerEntry(pid, epoch, timestampMs);
    this.producers.set(pid, entry);
    this.producerBytes += entryBytes(entry);
    return entry;
  }

  /**
   * Forgets the idlest producers (no open transaction, not `keep`) until `extra` more bytes fit the
   * budget. Refuses with RESOURCE_EXHAUSTED before changing anything when that cannot be done.
   */
  private makeRoom(extra: number, keep: ProducerEntry | undefined): void {
    const budget = this.limits.producerStateBytesMax;
    if (this.producerBytes + extra <= budget) return;
    const victims: ProducerEntry[] = [];
    let freed = 0;
    for (const p of this.producers.values()) {
      if (this.producerBytes - freed + extra <= budget) break;
      if (p === keep || p.openTxnFirstOffset >= 0) continue;
      victims.push(p);
      freed += entryBytes(p);
    }
    if (this.producerBytes - freed + extra > budget) {
      reject('RESOURCE_EXHAUSTED', `producer state would exceed producerStateBytesMax ${budget}`);
    }
    for (const p of victims) this.forget(p);
  }

  private forget(entry: ProducerEntry): void {
    this.producers.delete(entry.producerId);
    this.producerBytes -= entryBytes(entry);
  }

  /**
   * Forgets producers idle for longer than producerIdleMsMax at the leader time `nowMs`. The map is in
   * recency order, so this looks only at the idlest few; one with an open transaction stays.
   */
  private expireIdleProducers(nowMs: number): void {
    const horizon = nowMs - this.limits.producerIdleMsMax;
    for (const p of this.producers.values()) {
      if (p.lastTimestampMs >= horizon) break;
      if (p.openTxnFirstOffset < 0) this.forget(p);
    }
  }

  /** Records a batch of `entry`, keeping the byte account (room was made before). */
  private remember(entry: ProducerEntry, batch: BatchMetadata): void {
    const before = entryBytes(entry);
    recordBatch(entry, batch, this.limits.dedupHorizonBatches);
    this.producerBytes += entryBytes(entry) - before;
  }

  private bump(entry: ProducerEntry, epoch: number): void {
    const before = entryBytes(entry);
    bumpEpoch(entry, epoch);
    this.producerBytes += entryBytes(entry) - before;
  }

  private touch(entry: ProducerEntry, timestampMs: number): void {
    entry.lastTimestampMs = timestampMs;
    this.producers.delete(entry.producerId);
    this.producers.set(entry.producerId, entry);
  }

  private commit(batch: RecordBatchView, timestampMs: number): PartitionResult {
    const baseOffset = this.next;
    const lastOffset = baseOffset + batch.recordCount - 1;
    this.next = lastOffset + 1;
    this.lastTimestamp = timestampMs;
    return {
      ok: true,
      type: 'appended',
      baseOffset,
      lastOffset,
      logAppendTimeMs: timestampMs,
      duplicate: false,
      batch: batch.bytes,
    };
  }

  /**
   * Takes the leader's compaction decision. Only decided data may be compacted: the bounds must lie
   * at or below the last stable offset (so below the high watermark too), which the leader read from
   * the same state. Bounds only grow: an older decision arriving later changes nothing.
   */
  private compact(bounds: CompactionBounds): PartitionResult {
    const { upToOffset, tombstonesBeforeOffset } = bounds;
    const stable = this.lastStableOffset;
    if (!Number.isSafeInteger(upToOffset) || upToOffset < 0 || upToOffset > stable) {
      reject('OFFSET_OUT_OF_RANGE', `compaction end ${upToOffset} is outside [0, ${stable}]`);
    }
    if (
      !Number.isSafeInteger(tombstonesBeforeOffset) ||
      tombstonesBeforeOffset < 0 ||
      tombstonesBeforeOffset > upToOffset
    ) {
      reject('INVALID_ARGUMENT', `tombstone bound ${tombstonesBeforeOffset} is outside [0, ${upToOffset}]`);
    }
    this.compaction = {
      upToOffset: Math.max(this.compaction.upToOffset, upToOffset),
      tombstonesBeforeOffset: Math.max(this.compaction.tombstonesBeforeOffset, tombstonesBeforeOffset),
    };
    return { ok: true, type: 'compaction', ...this.compaction };
  }

  private queueLease(command: QueueLeaseCommand, timestampMs: number): PartitionResult {
    // Queue consumers see what read_committed readers see: nothing of an open transaction.
    const granted = this.queueBook.lease(command, timestampMs, this.logStart, this.lastStableOffset);
    return { ok: true, type: 'queue-leased', granted };
  }

  private queueSettle(command: QueueSettleCommand, timestampMs: number): PartitionResult {
    if (command.producerId >= 0) {
      const entry = this.producers.get(command.producerId);
      if (entry !== undefined && command.producerEpoch < entry.epoch) {
        reject(
          'PRODUCER_FENCED',
          `acks of epoch ${command.producerEpoch} are older than producer ${command.producerId}'s epoch ${entry.epoch}`,
        );
      }
    }
    return { ok: true, type: 'queue-settled', outcomes: this.queueBook.settle(command, timestampMs) };
  }

  private queueDelete(command: QueueDeleteCommand): PartitionResult {
    this.queueBook.delete(command);
    return { ok: true, type: 'queue-deleted' };
  }

  private setLogStartOffset(offset: number): PartitionResult {
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > this.next) {
      reject('OFFSET_OUT_OF_RANGE', `log start offset ${offset} is outside [0, ${this.next}]`);
    }
    if (offset > this.logStart) {
      this.logStart = offset;
      let drop = 0;
      while (drop < this.aborted.length && this.aborted[drop]!.lastOffset < offset) drop++;
      this.aborted.splice(0, drop);
      this.queueBook.dropBefore(offset);
    }
    return { ok: true, type: 'log-start-offset', logStartOffset: this.logStart };
  }
}
