import { RecordBatchView, type DecodedRecord } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import {
  isAvailable,
  queueLimits,
  type PendingMessage,
  type QueueGrant,
  type QueueLeaseCommand,
  type QueueWaiting,
} from '../partition/index.js';
import type { PartitionReplica } from './partition-replica.js';
import { deliverAtHeader, type QueueSettings } from './queue-settings.js';

/** Why a message leaves the queue for the dead-letter topic. */
export type DeadLetterReason = 'max-deliveries' | 'expired';

export interface LeasePlan {
  readonly command: QueueLeaseCommand;
  /** The time the plan judged availability at: its entry carries it, so apply judges alike. */
  readonly nowMs: number;
  /** The record of every granted offset, to answer with once the lease applied. */
  readonly records: ReadonlyMap<number, DecodedRecord>;
  /** Granted to the dead-letter mover, with why and the last error. */
  readonly deadLetters: ReadonlyMap<number, { reason: DeadLetterReason; lastError: string }>;
}

export interface PlanInput {
  readonly queue: string;
  /** What lease commands in flight will do; the plan starts after them. */
  readonly overlay?: {
    readonly cursor: number;
    readonly reserved: ReadonlySet<number>;
    readonly added: number;
  };
  readonly maxMessages: number;
  /** Answer bytes this plan may grant (leasedRecordBytes); at most leaseBytesMax. */
  readonly bytesMax: number;
  /** The answer holds no message yet: the plan grants one even past bytesMax, or it would stall. */
  readonly answerEmpty: boolean;
  readonly leaseMs: number;
  readonly nowMs: number;
  readonly settings: QueueSettings;
}

const readBytesMax = 1024 * 1024;
/**
 * What one Lease call answers at most over all its partitions (beyond its first message, since it
 * always grants one): 4 MiB is the largest message gRPC clients accept unless configured otherwise,
 * and an answer a client refuses leaves its messages leased to nobody until they time out, again
 * on every retry. The rest is room for the response's own fields.
 */
export const leaseAnswerBytesMax = 4 * 1024 * 1024;
export const leaseBytesMax = leaseAnswerBytesMax - 1024;
// What a leased message adds to the answer besides its key, value and header bytes: the topic name
// (at most 249 bytes), partition, offset, timestamp, lease id, count, expiry, tags and lengths.
const messageOverheadBytes = 384;
const headerOverheadBytes = 16;
// Room left in one command for the waiting and dropped messages a scan meets besides its grants.
const scanItemsMax = queueLimits.itemsPerCommandMax - 1_000;
const keyText = (key: Uint8Array): string => Buffer.from(key).toString('latin1');

/**
 * The leader's lease decision for one queue group of one partition, from its applied state and its
 * store: redeliveries first (oldest offset first), then new messages from the scan cursor up to the
 * last stable offset. Pure apart from reads; the state machine judges the result again on apply.
 */
export class LeasePlanner {
  private readonly grants: QueueGrant[] = [];
  private readonly waiting: QueueWaiting[] = [];
  private readonly drops: number[] = [];
  private readonly records = new Map<number, DecodedRecord>();
  private readonly deadLetters = new Map<number, { reason: DeadLetterReason; lastError: string }>();
  /** Keys with a message ahead of the one at hand (ordered topics only). */
  private readonly blockedKeys = new Set<string>();
  private grantedBytes = 0;

  constructor(
    private readonly replica: PartitionReplica,
    private readonly store: PartitionStore,
    private readonly input: PlanInput,
  ) {}

  async plan(): Promise<LeasePlan | undefined> {
    const sm = this.replica.state;
    const group = sm.queues.group(this.input.queue);
    const overlay = this.input.overlay;
    const fromCursor = overlay?.cursor ?? group?.cursor ?? sm.logStartOffset;
    const all = group === undefined ? [] : [...group.pending()];
    const pending = all
      .filter((p) => overlay?.reserved.has(p.offset) !== true)
      .sort((a, b) => a.offset - b.offset);
    await this.redeliver(pending);
    const room = queueLimits.pendingMax - all.length - (overlay?.added ?? 0);
    const scanTo = await this.scan(fromCursor, sm.lastStableOffset, room);
    const nothing = this.grants.length === 0 && this.drops.length === 0 && scanTo === fromCursor;
    if (nothing) return undefined;
    const { queue, leaseMs } = this.input;
    const command: QueueLeaseCommand = {
      type: 'queue-lease',
      queue,
      fromCursor,
      scanTo,
      leaseMs,
      grants: this.grants,
      waiting: this.waiting,
      drops: this.drops,
    };
    return { command, nowMs: this.input.nowMs, records: this.records, deadLetters: this.deadLetters };
  }

  private async redeliver(pending: readonly PendingMessage[]): Promise<void> {
    const { nowMs, settings } = this.input;
    for (const p of pending) {
      const head = p.key === null || !settings.orderedByKey || !this.blockedKeys.has(keyText(p.key));
      if (settings.orderedByKey && p.key !== null) this.blockedKeys.add(keyText(p.key));
      if (this.full() || !head || !isAvailable(p, nowMs)) continue;
      const record = await this.readRecord(p.offset);
      if (record === 'gone') this.drops.push(p.offset);
      else if (record !== 'later' && this.fits(record))
        this.decide(record, p.appendTimeMs, p.deliveryCount, p.lastError, p.key);
    }
  }

  /** Returns the new scan end: the offset after the last message the scan decided on. */
  private async scan(from: number, end: number, room: number): Promise<number> {
    let at = from;
    while (at < end && !this.full() && this.fresh() < room && this.items() < scanItemsMax) {
      if (at >= this.replica.storedEnd || at >= (await this.writtenEnd())) break;
      const read = await this.store.read(this.replica.partitionKey, at, readBytesMax);
      // Applied entries reach the store one write later: nothing read means compaction removed
      // everything up to the written end, never that the scan may skip what is not written yet.
      if (read.batches.length === 0) return Math.min(end, Math.max(at, read.nextOffset));
      for (const bytes of read.batches) {
        const view = new RecordBatchView(bytes);
        if (view.baseOffset >= end) return at;
        if (view.nextOffset <= at) continue;
        if (view.isControl || this.aborted(view)) {
          at = view.nextOffset;
          continue;
        }
        for (const record of view.records()) {
          if (record.offset < at) continue;
          if (this.full() || this.fresh() >= room || this.items() >= scanItemsMax) return at;
          if (!this.fits(record)) return at;
          this.admit(record);
          at = record.offset + 1;
        }
        at = Math.max(at, view.nextOffset);
      }
    }
    return Math.min(at, end);
  }

  private admit(record: DecodedRecord): void {
    const { nowMs, settings } = this.input;
    const key = settings.orderedByKey ? record.key : null;
    const deliverAt = deliverAtOf(record);
    const blocked = key !== null && this.blockedKeys.has(keyText(key));
    if (key !== null) this.blockedKeys.add(keyText(key));
    if (this.expired(record.timestamp) || (deliverAt <= nowMs && !blocked)) {
      this.decide(record, record.timestamp, 0, '', key);
      return;
    }
    const visibleAtMs = Math.max(deliverAt, nowMs);
    this.waiting.push({ offset: record.offset, appendTimeMs: record.timestamp, key, visibleAtMs });
  }

  /** Lease it, dead-letter it or drop it. */
  private decide(
    record: DecodedRecord,
    appendTimeMs: number,
    deliveries: number,
    lastError: string,
    key: Uint8Array | null,
  ): void {
    const { settings } = this.input;
    const expired = this.expired(appendTimeMs);
    const exhausted = settings.maxDeliveries > 0 && deliveries >= settings.maxDeliveries;
    const offset = record.offset;
    if (expired || exhausted) {
      const toDeadLetter = settings.deadLetterTopic !== '' && (exhausted || settings.deadLetterExpired);
      if (!toDeadLetter) {
        this.drops.push(offset);
        return;
      }
      this.deadLetters.set(offset, { reason: expired ? 'expired' : 'max-deliveries', lastError });
    }
    this.grants.push({ offset, appendTimeMs, key, deadLetter: expired || exhausted });
    this.records.set(offset, record);
    this.grantedBytes += leasedRecordBytes(record);
  }

  private expired(appendTimeMs: number): boolean {
    const ttl = this.input.settings.messageTtlMs;
    return ttl > 0 && appendTimeMs + ttl <= this.input.nowMs;
  }

  private aborted(view: RecordBatchView): boolean {
    if (!view.isTransactional) return false;
    const found = this.replica.state.abortedTransactions(view.baseOffset, view.nextOffset);
    return found.some((a) => a.producerId === view.producerId && a.firstOffset <= view.baseOffset);
  }

  /**
   * What the store has written, once the write in flight landed: the applied state may be a write
   * ahead of the store, and the producers of those records may have heard of them already.
   */
  private async writtenEnd(): Promise<number> {
    await this.replica.whenWritten();
    return (await this.store.info(this.replica.partitionKey)).nextOffset;
  }

  /**
   * The record at `offset`; 'gone' when retention or compaction removed it, 'later' when this replica
   * does not hold it yet (a gap fill, a write not landed): such a message is neither leased nor dropped.
   */
  private async readRecord(offset: number): Promise<DecodedRecord | 'gone' | 'later'> {
    if (offset < this.replica.state.logStartOffset) return 'gone';
    if (offset >= this.replica.storedEnd || offset >= (await this.writtenEnd())) return 'later';
    const read = await this.store.read(this.replica.partitionKey, offset, 1);
    const bytes = read.batches[0];
    if (bytes === undefined) return 'gone';
    for (const record of new RecordBatchView(bytes).records()) if (record.offset === offset) return record;
    return 'gone';
  }

  /** Whether granting `record` keeps the answer within its bytes; its first message always fits. */
  private fits(record: DecodedRecord): boolean {
    if (this.input.answerEmpty && this.grants.length === 0) return true;
    return this.grantedBytes + leasedRecordBytes(record) <= this.input.bytesMax;
  }

  private full(): boolean {
    return this.grants.length >= this.input.maxMessages || this.grantedBytes >= this.input.bytesMax;
  }
  private fresh(): number {
    return this.grants.length + this.waiting.length;
  }
  private items(): number {
    return this.grants.length + this.waiting.length + this.drops.length;
  }
}

/** The bytes a leased record adds to a Lease answer, encoded: key, value, headers and its fields. */
export function leasedRecordBytes(r: DecodedRecord): number {
  let n = messageOverheadBytes + (r.key?.length ?? 0) + (r.value?.length ?? 0);
  for (const h of r.headers) n += headerOverheadBytes + Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return n;
}

/** What an answer of these messages holds of the response budget (leasedRecordBytes each). */
export function leaseAnswerBytes(records: readonly DecodedRecord[]): number {
  return records.reduce((n, r) => n + leasedRecordBytes(r), 0);
}

function deliverAtOf(record: DecodedRecord): number {
  const header = record.headers.find((h) => h.key === deliverAtHeader);
  if (header === undefined || header.value === null) return 0;
  const at = Number(Buffer.from(header.value).toString('latin1'));
  return Number.isSafeInteger(at) ? at : 0;
}
