import type { Logger } from 'pino';
import {
  assert,
  NewerFormatError,
  RecordBatchView,
  type Clock,
  type LogIndex,
  type PartitionId,
} from '../../lib/index.js';
import type { Entry, RaftStorage, Snapshot } from '../../raft/index.js';
import {
  StorageBatch,
  type KvStore,
  type PartitionStore,
  type RetainedEntries,
} from '../../storage/index.js';
import type { GroupStateMachine } from '../host/index.js';
import {
  applyPartitionEntry,
  decodePartitionSnapshot,
  encodePartitionSnapshotAt,
  PartitionStateMachine,
  type PartitionLimits,
  type PartitionResult,
} from '../partition/index.js';

/** Where a replica filling a gap reads from: any other replica that stored the data. */
export interface RangeSource {
  /**
   * Committed batches from `from` on, up to about `to`, from whichever replica has them;
   * OFFSET_OUT_OF_RANGE when retention already deleted `from` there.
   */
  fetch(from: number, to: number): AsyncIterable<readonly Uint8Array[]>;
}

/** How long a gap fill waits before asking again when no replica could serve it. */
const fillRetryMs = 200;

/**
 * One partition's state machine on this node plus its record store. Batches are stored when their
 * entry applies; a replayed entry whose batch is already stored (after a restart) is not stored twice.
 * A snapshot install skips record data: the replica then fills the gap from the other replicas while
 * its group goes on (it votes, acknowledges appends and applies entries, since the Raft log and the
 * state machine are complete without the record bytes). Entries applied during the fill are not
 * stored on apply: the fill chases the applied end and fetches them too, so the store stays one
 * contiguous range; reads at or past the stored end are refused (retriable) until the fill is done.
 */
export class PartitionReplica implements GroupStateMachine {
  private machine: PartitionStateMachine;
  private storeNext = 0;
  private filling = false;
  /** A log start the state machine moved to that the store has not caught up with yet. */
  private pendingLogStart = 0;
  /**
   * Append time given to batches a gap fill stores: the time of the last append the snapshot covers,
   * which none of them is later than (so time retention never drops them early).
   */
  private fillAppendTimeMs = 0;
  private closed = false;
  /** Entries applied in the cycle in flight, whose write has not landed yet (see whenWritten). */
  private unwritten = false;
  /** Reads waiting for that write (see whenWritten). */
  private writtenWaiters: (() => void)[] = [];
  /**
   * The store held batches of its own when the running fill started. Copying another replica's
   * compacted log after them could keep a value whose tombstone that replica already removed, so on
   * the first sign of compaction in what arrives the fill starts over from the log start.
   */
  private ownPrefix = false;

  constructor(
    readonly partitionKey: PartitionId,
    private readonly kv: KvStore,
    private readonly store: PartitionStore,
    private readonly source: RangeSource,
    private readonly logger: Logger,
    /** Paces the gap fill's retries. */
    private readonly clock: Pick<Clock, 'sleep'>,
    /**
     * The cluster's active version as this node's controller replica knows it (it only rises, and a
     * lagging view only errs low). The replica is the one object of a partition that both the
     * proposal sites (proposePartitionEntry) and the host's snapshot call reach, so it carries this
     * function rather than the controller itself: cluster/partition stays free of controller state.
     */
    readonly activeVersion: () => number,
    limits: Partial<PartitionLimits> = {},
  ) {
    this.machine = new PartitionStateMachine(limits);
  }

  async open(): Promise<void> {
    this.storeNext = (await this.store.load(this.partitionKey)).nextOffset;
  }

  get state(): PartitionStateMachine {
    return this.machine;
  }

  /** The group never waits for the store: a gap fill runs beside it (see the class comment). */
  get blocked(): boolean {
    return false;
  }

  /**
   * A producer hears its offsets before the write that stores its batch lands, one write sooner:
   * readers wait for that write (whenWritten), so what a producer was told is readable at once.
   */
  readonly answersBeforeWrite = true;

  /**
   * Resolves once the entries applied in the ready cycle in flight are written (at once when none
   * are waiting): the state machine may be that one write ahead of the store.
   */
  whenWritten(): Promise<void> {
    if (!this.unwritten || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.writtenWaiters.push(resolve));
  }

  /** A gap fill is writing the store (nothing else may rewrite its batches meanwhile). */
  get isFilling(): boolean {
    return this.filling;
  }

  /** Offsets below this are in the store; up to the high watermark once no fill is running. */
  get storedEnd(): number {
    return this.storeNext;
  }

  apply(entry: Entry, batch: StorageBatch): PartitionResult {
    this.unwritten = true;
    const { result } = this.applyEntry(entry);
    if (!result.ok && result.code === 'CORRUPT_MESSAGE') {
      // A leader checks every batch before proposing it: a committed one that fails is rejected alike
      // on every replica, but its origin (an older leader, a damaged log) deserves a look.
      this.logger.warn(
        { partition: this.partitionKey, index: entry.index, reason: result.message },
        'rejected a committed partition entry that does not pass validation',
      );
    }
    if (
      !this.filling &&
      result.ok &&
      result.type === 'appended' &&
      !result.duplicate &&
      result.baseOffset >= this.storeNext
    ) {
      assert(
        result.baseOffset === this.storeNext,
        `partition ${this.partitionKey}: gap before ${result.baseOffset}`,
      );
      // A committed entry never fails the cycle: a leader clock before 1970 counts as 1970.
      const appendTimeMs = Math.max(0, result.logAppendTimeMs);
      if (inside(result.batch, entry.data)) {
        // Stored once: the store refers to the Raft entry, which the log keeps while it is retained.
        const input = { group: this.partitionKey, index: entry.index, data: entry.data };
        this.store.appendFromEntry(
          batch,
          this.partitionKey,
          { ...input, batch: result.batch, baseOffset: result.baseOffset },
          appendTimeMs,
        );
      } else {
        // A batch the state machine built (a transaction marker) lives in no entry: store a copy.
        const stored = new RecordBatchView(result.batch).withBaseOffset(result.baseOffset).bytes;
        this.store.append(batch, this.partitionKey, [stored], appendTimeMs);
      }
      this.storeNext = result.lastOffset + 1;
    }
    if (result.ok && result.type === 'log-start-offset') this.pendingLogStart = result.logStartOffset;
    return result;
  }

  skip(index: number): void {
    this.machine.skip(index);
  }

  private applyEntry(entry: Entry): ReturnType<typeof applyPartitionEntry> {
    try {
      return applyPartitionEntry(this.machine, entry.data, entry.index);
    } catch (error) {
      throw error instanceof NewerFormatError ? error.at(`partition ${this.partitionKey}`) : error;
    }
  }

  /** Applied entries stored batches may refer to: the log keeps them when it compacts or is replaced. */
  retainedEntries(): RetainedEntries {
    return { from: this.store.entryFloor(this.partitionKey), through: this.machine.appliedIndex };
  }

  /**
   * The result an entry will have once applied, computed on a copy of the state from the entries
   * between the applied index and it (acks=leader answers before the commit, as Kafka's acks=1 does).
   * Undefined when the log no longer holds that entry at that term.
   */
  speculate(log: RaftStorage, index: number, term: number): PartitionResult | undefined {
    const applied = this.machine.appliedIndex;
    if (index <= applied || index > log.lastIndex() || log.term(index as LogIndex) !== term) return undefined;
    const copy = PartitionStateMachine.fromData(this.machine.toData());
    let result: PartitionResult | undefined;
    for (const entry of log.entries(
      (applied + 1) as LogIndex,
      (index + 1) as LogIndex,
      Number.MAX_SAFE_INTEGER,
    )) {
      if (entry.type !== 'normal' || entry.data.byteLength === 0) copy.skip(entry.index);
      else result = applyPartitionEntry(copy, entry.data, entry.index).result;
    }
    return result;
  }

  restore(snapshot: Snapshot): void {
    this.machine = decodePartitionSnapshot(snapshot.data);
    this.pendingLogStart = this.machine.logStartOffset;
    this.fillAppendTimeMs = Math.max(0, this.machine.toData().lastTimestampMs);
    // A fill already running chases the new end by itself.
    if (!this.filling && this.storeNext < this.machine.nextOffset) this.startFill();
  }

  /**
   * Moves the store's log start where retention put it, once the store holds the batches up to there.
   * No reads: the move may land in batches applied in this same cycle, not yet written. The store's
   * background purge deletes the batches below it later.
   */
  stage(batch: StorageBatch): Promise<void> {
    if (this.filling || this.pendingLogStart === 0) return Promise.resolve();
    const offset = Math.min(this.pendingLogStart, this.storeNext);
    this.pendingLogStart = 0;
    this.store.setLogStart(batch, this.partitionKey, offset);
    return Promise.resolve();
  }

  /** Followers may run the build before: the layout is the newest every node of the cluster reads. */
  snapshotData(): Uint8Array {
    return encodePartitionSnapshotAt(this.machine, this.activeVersion());
  }

  afterApply(): void {
    // The host has written the cycle's batch: readers waiting for it find the store caught up.
    this.unwritten = false;
    this.releaseWrittenWaiters();
  }

  private releaseWrittenWaiters(): void {
    for (const wake of this.writtenWaiters.splice(0)) wake();
  }

  private startFill(): void {
    this.filling = true;
    this.ownPrefix = this.storeNext > this.machine.logStartOffset;
    const [from, to] = [this.storeNext, this.machine.nextOffset];
    this.logger.info({ partition: this.partitionKey, from, to }, 'filling record data skipped by a snapshot');
    void this.fill(from);
  }

  /** Retention deleted what this replica misses below the log start: start the store there. */
  private async skipTo(offset: number): Promise<void> {
    if (this.storeNext >= offset) return;
    const batch = new StorageBatch();
    this.store.resetTo(batch, this.partitionKey, offset);
    await batch.commit(this.kv, { sync: true });
    this.storeNext = offset;
  }

  /** Throws the store's own batches away, so the fill copies the other replica's log from its start. */
  private async discardStored(): Promise<void> {
    const offset = this.machine.logStartOffset;
    this.logger.info(
      { partition: this.partitionKey, from: offset },
      'gap fill: source is compacted, copying it whole',
    );
    const batch = new StorageBatch();
    this.store.resetTo(batch, this.partitionKey, offset, { discardStored: true });
    await batch.commit(this.kv, { sync: true });
    this.storeNext = offset;
    this.ownPrefix = false;
  }

  /** Stops a gap fill in progress (the partition left this node, or the node is stopping). */
  close(): void {
    this.closed = true;
    this.releaseWrittenWaiters();
  }

  /**
   * Fetches [storeNext, applied end) from the other replicas until the store reaches the applied end.
   * The end moves while entries apply; the check that ends the fill runs right after a write, in the
   * same turn of the event loop as clearing `filling`, so no applied batch is left out.
   */
  private async fill(from: number): Promise<void> {
    while (!this.closed) {
      try {
        await this.skipTo(this.machine.logStartOffset);
        if (this.storeNext >= this.machine.nextOffset) break;
        await this.fetchOnce();
        if (this.storeNext >= this.machine.nextOffset) break;
      } catch (error) {
        this.logger.warn(
          { err: error, partition: this.partitionKey, from: this.storeNext },
          'gap fill: retrying',
        );
        await this.clock.sleep(fillRetryMs);
      }
    }
    if (this.closed) return;
    this.filling = false;
    this.logger.info({ partition: this.partitionKey, from, to: this.storeNext }, 'record data filled');
  }

  private async fetchOnce(): Promise<void> {
    for await (const batches of this.source.fetch(this.storeNext, this.machine.nextOffset)) {
      if (this.closed) return;
      const fresh = batches.filter((b) => new RecordBatchView(b).baseOffset >= this.storeNext);
      if (fresh.length === 0) continue;
      if (this.ownPrefix && showsCompaction(fresh, this.storeNext)) {
        await this.discardStored();
        return;
      }
      const batch = new StorageBatch();
      // The other replica's log may be compacted already: batches it removed are absent.
      this.store.append(batch, this.partitionKey, fresh, this.fillAppendTimeMs, { gapsAllowed: true });
      await batch.commit(this.kv, { sync: true });
      this.storeNext = new RecordBatchView(fresh[fresh.length - 1] as Uint8Array).nextOffset;
      if (this.storeNext >= this.machine.nextOffset) return;
    }
  }
}

/** Whether `part` is a view into `whole`'s memory, within it. */
function inside(part: Uint8Array, whole: Uint8Array): boolean {
  const start = part.byteOffset - whole.byteOffset;
  return part.buffer === whole.buffer && start >= 0 && start + part.byteLength <= whole.byteLength;
}

/** Whether copied batches show compaction: a batch missing before one, or one missing records. */
function showsCompaction(batches: readonly Uint8Array[], from: number): boolean {
  let expected = from;
  for (const bytes of batches) {
    const view = new RecordBatchView(bytes);
    if (view.baseOffset !== expected || view.recordCount !== view.lastOffsetDelta + 1) return true;
    expected = view.nextOffset;
  }
  return false;
}
