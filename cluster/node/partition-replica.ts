import type { Logger } from 'pino';
import { assert, RecordBatchView, type PartitionId } from '../../lib/index.js';
import type { Entry, Snapshot } from '../../raft/index.js';
import { StorageBatch, type KvStore, type PartitionStore } from '../../storage/index.js';
import type { GroupStateMachine } from '../host/index.js';
import {
  applyPartitionEntry,
  decodePartitionSnapshot,
  encodePartitionSnapshot,
  PartitionStateMachine,
  type PartitionResult,
} from '../partition/index.js';

/** Fetches committed batches [from, to) of this partition from a replica that has them. */
export type RangeFetcher = (from: number, to: number) => AsyncIterable<readonly Uint8Array[]>;

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
  private closed = false;
  private unblocked: (() => void) | undefined;

  constructor(
    readonly partitionKey: PartitionId,
    private readonly kv: KvStore,
    private readonly store: PartitionStore,
    private readonly fetchRange: RangeFetcher,
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
    return result;
  }

  skip(index: number): void {
    this.machine.skip(index);
  }

  restore(snapshot: Snapshot): void {
    this.machine = decodePartitionSnapshot(snapshot.data);
    if (this.storeNext < this.machine.nextOffset) this.startFill(this.storeNext, this.machine.nextOffset);
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

  /** Stops a gap fill in progress (the partition left this node, or the node is stopping). */
  close(): void {
    this.closed = true;
  }

  private async fill(from: number, to: number): Promise<void> {
    while (!this.closed) {
      try {
        for await (const batches of this.fetchRange(this.storeNext, to)) {
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
        this.logger.warn({ err: error, partition: this.partitionKey, from }, 'gap fill failed; retrying');
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    if (this.closed) return;
    this.filling = false;
    this.logger.info({ partition: this.partitionKey, from, to }, 'record data filled');
    this.unblocked?.();
  }
}
