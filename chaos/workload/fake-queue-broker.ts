import { setImmediate as nextTurn } from 'node:timers/promises';
import { ErrorCode } from '../../proto/gen/raftlog/v1/errors_pb.js';

interface Stored {
  readonly offset: number;
  readonly value: string;
  acked: boolean;
  leaseId: bigint;
  /** Leased until, or invisible until (after a nack), in ms of Date.now(). */
  busyUntil: number;
  deliveries: number;
}

interface Ref {
  readonly partition: number;
  readonly offset: bigint;
  readonly leaseId: bigint;
}

/**
 * An in-memory queue with the broker's lease semantics, for testing the workload without a
 * cluster. `forgetsAcks` makes it hand acked messages out again, as a broken broker would.
 */
export class FakeQueueBroker {
  private readonly partitions = new Map<number, Stored[]>();
  private nextLease = 1n;

  constructor(private readonly forgetsAcks = false) {}

  put(partition: number, value: string): number {
    const log = this.partitions.get(partition) ?? [];
    this.partitions.set(partition, log);
    log.push({ offset: log.length, value, acked: false, leaseId: 0n, busyUntil: 0, deliveries: 0 });
    return log.length - 1;
  }

  /** Answers on a later turn of the event loop, as a network call would, so timers still fire. */
  async lease(request: { partitions: number[]; maxMessages: number; visibilityTimeoutMs: number }) {
    await nextTurn();
    const now = Date.now();
    const partition = request.partitions[0] ?? 0;
    const ready = (this.partitions.get(partition) ?? []).filter((m) => !m.acked && m.busyUntil <= now);
    const messages = ready.slice(0, request.maxMessages).map((m) => {
      m.leaseId = this.nextLease++;
      m.busyUntil = now + request.visibilityTimeoutMs;
      m.deliveries++;
      const record = { value: new TextEncoder().encode(m.value), headers: [], timestampMs: 0n };
      return {
        message: { topic: 't', partition, offset: BigInt(m.offset), record },
        leaseId: m.leaseId,
        deliveryCount: m.deliveries,
        leaseExpiresAtMs: BigInt(m.busyUntil),
      };
    });
    return { messages };
  }

  async ack(request: { leases: Ref[] }) {
    await nextTurn();
    return { results: request.leases.map((r) => this.settle(r, 'ack', 0)) };
  }

  async nack(request: { leases: Ref[]; delayMs: number }) {
    await nextTurn();
    return { results: request.leases.map((r) => this.settle(r, 'nack', request.delayMs)) };
  }

  private settle(ref: Ref, f: 'ack' | 'nack', delayMs: number) {
    const m = this.partitions.get(ref.partition)?.[Number(ref.offset)];
    const lease = { ...ref, topic: 't' };
    if (m === undefined)
      return { lease, error: { code: ErrorCode.UNKNOWN_LEASE, message: '', leaderHint: '' } };
    if (m.acked && f === 'ack') return { lease };
    if (m.leaseId !== ref.leaseId) {
      return { lease, error: { code: ErrorCode.LEASE_EXPIRED, message: '', leaderHint: '' } };
    }
    if (f === 'ack') m.acked = !this.forgetsAcks;
    m.busyUntil = f === 'ack' ? 0 : Date.now() + delayMs;
    return { lease };
  }
}
