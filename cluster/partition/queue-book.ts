import { RaftlogError } from '../../lib/index.js';
import { QueueGroup } from './queue-group.js';
import {
  queueGroupNamePattern,
  queueLimits,
  type LeaseGranted,
  type QueueDeleteCommand,
  type QueueGroupData,
  type QueueLeaseCommand,
  type QueueSettleCommand,
  type SettleOutcome,
} from './queue-types.js';

const utf8 = new TextEncoder();

export function validateQueueGroupName(name: string): void {
  if (name.length === 0 || name.length > queueLimits.groupNameCharsMax || !queueGroupNamePattern.test(name)) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `queue name must be 1..${queueLimits.groupNameCharsMax} of ASCII letters, digits, '.', '_' and '-'`,
    );
  }
}

const noQueueGroups: ReadonlyMap<string, QueueGroup> = new Map();

/** The queue groups of one partition. A group starts at the log start: it sees every message kept. */
export class QueueBook {
  /** `noQueueGroups` (shared) until the first group is added: most partitions never have one. */
  private groups: ReadonlyMap<string, QueueGroup> = noQueueGroups;
  /** The highest lease id a deleted group gave out: a new group's ids start above it. */
  private leaseIdFloorValue = 0;

  private writableGroups(): Map<string, QueueGroup> {
    if (this.groups === noQueueGroups) this.groups = new Map();
    return this.groups as Map<string, QueueGroup>;
  }

  static fromData(groups: readonly QueueGroupData[], leaseIdFloor = 0): QueueBook {
    const book = new QueueBook();
    for (const g of groups) book.writableGroups().set(g.name, QueueGroup.fromData(g));
    book.leaseIdFloorValue = leaseIdFloor;
    return book;
  }

  toData(): QueueGroupData[] {
    return [...this.groups.values()].map((g) => g.toData());
  }

  /** 0 until a group is deleted; kept in snapshots so every replica numbers new leases alike. */
  get leaseIdFloor(): number {
    return this.leaseIdFloorValue;
  }

  group(name: string): QueueGroup | undefined {
    return this.groups.get(name);
  }
  names(): string[] {
    return [...this.groups.keys()];
  }

  lease(c: QueueLeaseCommand, nowMs: number, logStart: number, highWatermark: number): LeaseGranted[] {
    const count = c.grants.length + c.waiting.length + c.drops.length;
    if (count > queueLimits.itemsPerCommandMax) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `a lease command carries ${count} items, at most ${queueLimits.itemsPerCommandMax}`,
      );
    }
    const existing = this.groups.get(c.queue);
    const group = existing ?? this.newGroup(c.queue, logStart);
    const granted = group.lease(c, nowMs, highWatermark);
    // Added only once its first lease applied: a refused command leaves no trace.
    if (existing === undefined) this.writableGroups().set(c.queue, group);
    return granted;
  }

  settle(c: QueueSettleCommand, nowMs: number): SettleOutcome[] {
    if (c.ops.length === 0 || c.ops.length > queueLimits.itemsPerCommandMax) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `a settle command carries ${c.ops.length} ops, 1..${queueLimits.itemsPerCommandMax} allowed`,
      );
    }
    for (const op of c.ops) {
      const limit = op.kind === 'nack' ? queueLimits.delayMsMax : queueLimits.leaseMsMax;
      if (!Number.isSafeInteger(op.ms) || op.ms < 0 || op.ms > limit) {
        throw new RaftlogError('INVALID_ARGUMENT', `${op.kind} of ${op.ms} ms is outside [0, ${limit}]`);
      }
      if (
        op.error.length > queueLimits.errorBytesMax &&
        utf8.encode(op.error).length > queueLimits.errorBytesMax
      ) {
        throw new RaftlogError(
          'INVALID_ARGUMENT',
          `a nack error is limited to ${queueLimits.errorBytesMax} bytes`,
        );
      }
    }
    validateQueueGroupName(c.queue);
    const group = this.groups.get(c.queue);
    // A group is made by its first lease only: settling leases nobody gave out must not use up a slot.
    if (group === undefined) {
      const message = `queue ${c.queue} has leased nothing on this partition`;
      return c.ops.map(() => ({ code: 'UNKNOWN_LEASE' as const, message, expiresAtMs: 0 }));
    }
    return c.ops.map((op) => group.settle(op, nowMs, c.producerId));
  }

  /**
   * Drops a group and everything it holds; its lease ids then answer UNKNOWN_LEASE, and once a new
   * group of that name exists they are below all of its ids (LEASE_EXPIRED where it leased again).
   */
  delete(c: QueueDeleteCommand): void {
    validateQueueGroupName(c.queue);
    const group = this.groups.get(c.queue);
    if (group === undefined) {
      throw new RaftlogError('QUEUE_GROUP_NOT_FOUND', `queue ${c.queue} has no group on this partition`);
    }
    this.leaseIdFloorValue = Math.max(this.leaseIdFloorValue, group.lastLeaseId);
    this.writableGroups().delete(c.queue);
  }

  endTransaction(producerId: number, commit: boolean, nowMs: number): void {
    for (const g of this.groups.values()) g.endTransaction(producerId, commit, nowMs);
  }

  dropBefore(offset: number): void {
    for (const g of this.groups.values()) g.dropBefore(offset);
  }

  private newGroup(name: string, logStart: number): QueueGroup {
    validateQueueGroupName(name);
    if (this.groups.size >= queueLimits.groupsMax) {
      // Retrying does not help: only deleting a group (DeleteQueueGroup) makes room.
      throw new RaftlogError(
        'RESOURCE_EXHAUSTED',
        `a partition keeps at most ${queueLimits.groupsMax} queue groups and has ${this.groups.size}: ` +
          'delete an unused queue group (DeleteQueueGroup) to make room; retrying alone does not help',
      );
    }
    return new QueueGroup(name, logStart, this.leaseIdFloorValue);
  }
}
