import { RaftlogError } from '../../lib/index.js';
import {
  queueLimits,
  type LeaseGranted,
  type PendingMessage,
  type QueueGroupData,
  type QueueLeaseCommand,
  type QueueOp,
  type SettleOutcome,
} from './queue-types.js';

function reject(code: 'INVALID_ARGUMENT' | 'RESOURCE_EXHAUSTED' | 'UNAVAILABLE', message: string): never {
  throw new RaftlogError(code, message);
}

const ok = (expiresAtMs = 0): SettleOutcome => ({ code: undefined, message: '', expiresAtMs });

/** A message can be leased again once its lease ran out or its wait is over. */
export function isAvailable(p: PendingMessage, nowMs: number): boolean {
  return p.state !== 'txn-acked' && p.untilMs <= nowMs;
}

/**
 * One queue group's state on one partition: the scan cursor and the messages not yet done. Applied
 * on every replica from the leader's decisions, with the entry's timestamp as the only clock.
 */
export class QueueGroup {
  private cursorValue: number;
  private lastLeaseIdValue: number;
  private deadLetteredValue: number;
  private settlementsValue = 0;
  private readonly pendingByOffset = new Map<number, PendingMessage>();
  /** Producer id to the offsets its open transaction acked: a marker visits only those. */
  private readonly txnAcks = new Map<number, Set<number>>();

  /** `lastLeaseId`: above every id a deleted group of the partition gave out (QueueBook.delete). */
  constructor(
    readonly name: string,
    cursor: number,
    lastLeaseId = 0,
  ) {
    this.cursorValue = cursor;
    this.lastLeaseIdValue = lastLeaseId;
    this.deadLetteredValue = 0;
  }

  static fromData(d: QueueGroupData): QueueGroup {
    const g = new QueueGroup(d.name, d.cursor);
    g.lastLeaseIdValue = d.lastLeaseId;
    g.deadLetteredValue = d.deadLettered;
    for (const p of d.pending) {
      g.pendingByOffset.set(p.offset, { ...p });
      if (p.state === 'txn-acked') g.noteTxnAck(p.producerId, p.offset);
    }
    return g;
  }

  toData(): QueueGroupData {
    const pending = [...this.pendingByOffset.values()].sort((a, b) => a.offset - b.offset);
    return {
      name: this.name,
      cursor: this.cursorValue,
      lastLeaseId: this.lastLeaseIdValue,
      deadLettered: this.deadLetteredValue,
      pending,
    };
  }

  get cursor(): number {
    return this.cursorValue;
  }
  get lastLeaseId(): number {
    return this.lastLeaseIdValue;
  }
  get deadLettered(): number {
    return this.deadLetteredValue;
  }
  /**
   * Settle ops and transaction ends applied to this replica's group (not replicated): any of them can
   * make a message leasable sooner (a nack, a shorter extend, an abort, an ack that frees a key), so a
   * long poll plans again when it moves.
   */
  get settlements(): number {
    return this.settlementsValue;
  }
  get pendingCount(): number {
    return this.pendingByOffset.size;
  }
  pending(): IterableIterator<PendingMessage> {
    return this.pendingByOffset.values();
  }
  get(offset: number): Readonly<PendingMessage> | undefined {
    return this.pendingByOffset.get(offset);
  }

  /** Judges the whole command before changing anything, so a refusal leaves the group as it was. */
  lease(c: QueueLeaseCommand, nowMs: number, highWatermark: number): LeaseGranted[] {
    this.check(c, highWatermark);
    const granted: LeaseGranted[] = [];
    for (const g of c.grants) {
      const existing = this.pendingByOffset.get(g.offset);
      if (g.offset < c.fromCursor && (existing === undefined || !isAvailable(existing, nowMs))) continue;
      const p = existing ?? this.admit(g.offset, g.appendTimeMs, g.key);
      if (!g.deadLetter) p.deliveryCount++;
      p.state = 'leased';
      p.leaseId = ++this.lastLeaseIdValue;
      p.untilMs = nowMs + c.leaseMs;
      granted.push({
        offset: p.offset,
        leaseId: p.leaseId,
        deliveryCount: p.deliveryCount,
        expiresAtMs: p.untilMs,
      });
    }
    for (const w of c.waiting) {
      const p = this.admit(w.offset, w.appendTimeMs, w.key);
      p.untilMs = w.visibleAtMs;
    }
    for (const offset of c.drops) {
      const p = this.pendingByOffset.get(offset);
      if (offset >= c.fromCursor) this.deadLetteredValue++;
      else if (p !== undefined && isAvailable(p, nowMs)) {
        this.pendingByOffset.delete(offset);
        this.deadLetteredValue++;
      }
    }
    this.cursorValue = c.scanTo;
    return granted;
  }

  private check(c: QueueLeaseCommand, highWatermark: number): void {
    if (c.fromCursor !== this.cursorValue) {
      reject(
        'UNAVAILABLE',
        `queue ${this.name}: planned from offset ${c.fromCursor}, the scan is at ${this.cursorValue}; retry`,
      );
    }
    if (!Number.isSafeInteger(c.scanTo) || c.scanTo < c.fromCursor || c.scanTo > highWatermark) {
      reject(
        'INVALID_ARGUMENT',
        `queue ${this.name}: scan end ${c.scanTo} is outside [${c.fromCursor}, ${highWatermark}]`,
      );
    }
    if (!Number.isSafeInteger(c.leaseMs) || c.leaseMs < 1 || c.leaseMs > queueLimits.leaseMsMax) {
      reject('INVALID_ARGUMENT', `lease of ${c.leaseMs} ms is outside [1, ${queueLimits.leaseMsMax}]`);
    }
    const fresh = new Set<number>();
    const isNew = (offset: number, what: string): void => {
      if (!Number.isSafeInteger(offset) || offset < c.fromCursor || offset >= c.scanTo || fresh.has(offset)) {
        reject(
          'INVALID_ARGUMENT',
          `queue ${this.name}: ${what} offset ${offset} is not a new one in the scan`,
        );
      }
      fresh.add(offset);
    };
    for (const g of c.grants) {
      if (g.offset >= c.fromCursor) isNew(g.offset, 'granted');
      checkKey(g.key);
    }
    for (const w of c.waiting) {
      isNew(w.offset, 'waiting');
      checkKey(w.key);
    }
    for (const d of c.drops) if (d >= c.fromCursor) isNew(d, 'dropped');
    if (this.pendingByOffset.size + fresh.size > queueLimits.pendingMax) {
      reject(
        'RESOURCE_EXHAUSTED',
        `queue ${this.name} would hold more than ${queueLimits.pendingMax} unsettled messages`,
      );
    }
  }

  private admit(offset: number, appendTimeMs: number, key: Uint8Array | null): PendingMessage {
    const p: PendingMessage = {
      offset,
      appendTimeMs,
      key,
      deliveryCount: 0,
      state: 'waiting',
      leaseId: 0,
      untilMs: 0,
      producerId: -1,
      lastError: '',
    };
    this.pendingByOffset.set(offset, p);
    return p;
  }

  /** One op; a refusal is an outcome, not an exception, so the other ops of the command still apply. */
  settle(op: QueueOp, nowMs: number, producerId: number): SettleOutcome {
    this.settlementsValue++;
    const p = this.pendingByOffset.get(op.offset);
    if (p === undefined) {
      // Everything below the cursor that is not pending is done: an ack repeated after its answer
      // was lost must succeed, as SQS's DeleteMessage does.
      if (op.offset < this.cursorValue && op.kind === 'ack') return ok();
      if (op.offset < this.cursorValue) {
        return {
          code: 'LEASE_EXPIRED',
          message: `offset ${op.offset} is already settled in queue ${this.name}`,
          expiresAtMs: 0,
        };
      }
      return {
        code: 'UNKNOWN_LEASE',
        message: `offset ${op.offset} was never leased in queue ${this.name}`,
        expiresAtMs: 0,
      };
    }
    // Lease ids grow per group, so one above the message's latest was never given for it.
    if (op.leaseId > p.leaseId || p.leaseId === 0) {
      return {
        code: 'UNKNOWN_LEASE',
        message: `offset ${op.offset} in queue ${this.name} was never leased as ${op.leaseId}`,
        expiresAtMs: 0,
      };
    }
    if (op.leaseId < p.leaseId) {
      return {
        code: 'LEASE_EXPIRED',
        message: `offset ${op.offset} in queue ${this.name} was leased again (lease ${p.leaseId}) after lease ${op.leaseId}`,
        expiresAtMs: 0,
      };
    }
    if (p.state === 'txn-acked') {
      return {
        code: 'INVALID_TXN_STATE',
        message: `offset ${op.offset} is acked in producer ${p.producerId}'s open transaction`,
        expiresAtMs: 0,
      };
    }
    return this.settleMatched(p, op, nowMs, producerId);
  }

  private settleMatched(p: PendingMessage, op: QueueOp, nowMs: number, producerId: number): SettleOutcome {
    switch (op.kind) {
      case 'ack':
        if (producerId >= 0) {
          p.state = 'txn-acked';
          p.producerId = producerId;
          this.noteTxnAck(producerId, p.offset);
        } else this.pendingByOffset.delete(p.offset);
        return ok();
      case 'dead-letter':
        this.pendingByOffset.delete(p.offset);
        this.deadLetteredValue++;
        return ok();
      case 'nack':
        if (p.state !== 'leased') return notLeased(p, this.name);
        p.state = 'waiting';
        p.untilMs = nowMs + op.ms;
        p.lastError = op.error;
        return ok();
      case 'extend':
        if (p.state !== 'leased') return notLeased(p, this.name);
        p.untilMs = nowMs + op.ms;
        return ok(p.untilMs);
    }
  }

  /** A transaction's marker: its acks take effect (commit) or the messages are visible again (abort). */
  endTransaction(producerId: number, commit: boolean, nowMs: number): void {
    const offsets = this.txnAcks.get(producerId);
    if (offsets === undefined) return;
    this.settlementsValue++;
    this.txnAcks.delete(producerId);
    for (const offset of offsets) {
      const p = this.pendingByOffset.get(offset);
      if (p === undefined || p.state !== 'txn-acked' || p.producerId !== producerId) continue;
      if (commit) this.pendingByOffset.delete(offset);
      else {
        p.state = 'waiting';
        p.untilMs = nowMs;
        p.producerId = -1;
      }
    }
  }

  private noteTxnAck(producerId: number, offset: number): void {
    const offsets = this.txnAcks.get(producerId) ?? new Set<number>();
    offsets.add(offset);
    this.txnAcks.set(producerId, offsets);
  }

  /** Retention removed everything below `offset`: those messages are gone for every group. */
  dropBefore(offset: number): void {
    for (const p of this.pendingByOffset.values())
      if (p.offset < offset) this.pendingByOffset.delete(p.offset);
    this.cursorValue = Math.max(this.cursorValue, offset);
  }
}

function notLeased(p: PendingMessage, queue: string): SettleOutcome {
  return {
    code: 'LEASE_EXPIRED',
    message: `offset ${p.offset} in queue ${queue} is not leased (it was nacked)`,
    expiresAtMs: 0,
  };
}

function checkKey(key: Uint8Array | null): void {
  if (key !== null && key.length > queueLimits.keyBytesMax) {
    reject('INVALID_ARGUMENT', `a queue key of ${key.length} bytes is over ${queueLimits.keyBytesMax}`);
  }
}
