import type { Logger } from 'pino';
import { assert, RaftlogError, RecordBatchView, type LogIndex, type PartitionId } from '../../lib/index.js';
import type { Entry, RaftStorage, Snapshot } from '../../raft/index.js';
import { StorageBatch, type KvStore, type PartitionStore } from '../../storage/index.js';
import type { GroupStateMachine } from '../host/index.js';
import {
  applyPartitionEntry,
  decodePartitionSnapshot,
  encodePartitionSnapshot,
  PartitionStateMachine,
  type PartitionResult,
} from '../partition/index.js';

/** Where a replica filling a gap reads from: the partition's leader. */
export interface RangeSource {
  /** Committed batches [from, to); OFFSET_OUT_OF_RANGE when retention already deleted `from`. */
  fetch(from: number, to: number): AsyncIterable<readonly Uint8Array[]>;
  /** The leader's log start offset. */
  logStart(): Promise<number>;
}

/**
 * One partition's state machine on this node plus its record store. Batches are stored when their
 * entry applies; a replayed entry whose batch is already stored (after a restart) is not stored twice.
 * A snapshot install skips record data: the replica then fills the gap from another replica before
 * its group goes on, so every replica holds every committed offset.
 */
export class PartitionReplica implements GroupStateMachine {
  private machine = new PartitionStateMachine();
  private storeNext = 0;
  private filling = false;
  /** A log start the state machine moved to that the store has not caught up with yet. */
  private pendingLogStart = 0;
  private closed = false;
  private unblocked: (() => void) | undefined;

  constructor(
    readonly partitionKey: PartitionId,
    private readonly kv: KvStore,
    private readonly store: PartitionStore,
    private readonly source: RangeSource,
    private readonly logger: Logger,
  ) {}

  async open(): Promise<void> {
    this.storeNext = (await this.store.load(this.partitionKey)).nextOffset;
  }

  get state(): PartitionStateMachine {
    return this.machine;
  }

  get blocked(): boolean {
    return this.filling;
  }

  /** Called when a gap fill ends, so the host resumes the group. */
  onUnblocked(listener: () => void): void {
    this.unblocked = listener;
  }

  apply(entry: Entry, batch: StorageBatch): PartitionResult {
    const { result } = applyPartitionEntry(this.machine, entry.data, entry.index);
    if (result.ok && result.type === 'appended' && !result.duplicate && result.baseOffset >= this.storeNext) {
      assert(
        result.baseOffset === this.storeNext,
        `partition ${this.partitionKey}: gap before ${result.baseOffset}`,
      );
      const stored = new RecordBatchView(result.batch).withBaseOffset(result.baseOffset).bytes;
      this.store.append(batch, this.partitionKey, [stored]);
      this.storeNext = result.lastOffset + 1;
    }
    if (result.ok && result.type === 'log-start-offset') this.pendingLogStart = result.logStartOffset;
    return result;
  }

  skip(index: number): void {
    this.machine.skip(index);
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
    if (this.storeNext < this.machine.nextOffset) this.startFill(this.storeNext, this.machine.nextOffset);
  }

  /** Deletes what retention dropped, once the store holds the batches up to there. */
  async stage(batch: StorageBatch): Promise<void> {
    if (this.filling || this.pendingLogStart === 0) return;
    const offset = Math.min(this.pendingLogStart, this.storeNext);
    this.pendingLogStart = 0;
    await this.store.deleteBefore(batch, this.partitionKey, offset);
  }

  snapshotData(): Uint8Array {
    return encodePartitionSnapshot(this.machine);
  }

  afterApply(): void {
    // Readers look at the store, which the host has written by now; nothing else to publish.
  }

  private startFill(from: number, to: number): void {
    this.filling = true;
    this.logger.info({ partition: this.partitionKey, from, to }, 'filling record data skipped by a snapshot');
    void this.fill(from, to);
  }

  /** Retention elsewhere deleted what this replica misses below the log start: start the store there. */
  private async skipDeleted(): Promise<void> {
    await this.skipTo(this.machine.logStartOffset);
  }

  private async skipTo(offset: number): Promise<void> {
    if (this.storeNext >= offset) return;
    const batch = new StorageBatch();
    this.store.resetTo(batch, this.partitionKey, offset);
    await batch.commit(this.kv, { sync: true });
    this.storeNext = offset;
  }

  /** Stops a gap fill in progress (the partition left this node, or the node is stopping). */
  close(): void {
    this.closed = true;
  }

  private async fill(from: number, to: number): Promise<void> {
    await this.skipDeleted();
    while (!this.closed) {
      try {
        for await (const batches of this.source.fetch(this.storeNext, to)) {
          if (this.closed) return;
          const fresh = batches.filter((b) => new RecordBatchView(b).baseOffset >= this.storeNext);
          if (fresh.length === 0) continue;
          const batch = new StorageBatch();
          this.store.append(batch, this.partitionKey, fresh);
          await batch.commit(this.kv, { sync: true });
          this.storeNext = new RecordBatchView(fresh[fresh.length - 1] as Uint8Array).nextOffset;
          if (this.storeNext >= to) break;
        }
        if (this.storeNext >= to) break;
      } catch (error) {
        if (error instanceof RaftlogError && error.code === 'OFFSET_OUT_OF_RANGE') {
          await this.skipTo(Math.min(await this.source.logStart().catch(() => 0), to));
        } else {
          this.logger.warn({ err: error, partition: this.partitionKey, from }, 'gap fill failed; retrying');
        }
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (this.closed) return;
    this.filling = false;
    this.logger.info({ partition: this.partitionKey, from, to }, 'record data filled');
    this.unblocked?.();
  }
}
