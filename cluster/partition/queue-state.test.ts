import { describe, expect, it } from 'vitest';
import { encodeMarkerBatch } from './control-record.js';
import { decodePartitionEntry, encodePartitionEntry } from './partition-command-codec.js';
import { PartitionStateMachine } from './partition-state-machine.js';
import { decodePartitionSnapshot, encodePartitionSnapshot } from './partition-snapshot-codec.js';
import type { PartitionCommand, PartitionResult } from './partition-types.js';
import {
  queueLimits,
  type QueueDeleteCommand,
  type QueueLeaseCommand,
  type QueueOp,
  type QueueSettleCommand,
} from './queue-types.js';
import { batch } from './test-batches.js';

class Replica {
  sm = new PartitionStateMachine();
  private index = 0;
  apply(command: PartitionCommand, timestampMs: number): PartitionResult {
    this.index++;
    // Every command goes through the entry codec, as it does in the log.
    const { command: decoded } = decodePartitionEntry(encodePartitionEntry({ timestampMs, command }));
    return this.sm.apply(decoded, { index: this.index, timestampMs });
  }
  restore(): void {
    this.sm = decodePartitionSnapshot(encodePartitionSnapshot(this.sm));
  }
}

const lease = (over: Partial<QueueLeaseCommand>): QueueLeaseCommand => ({
  type: 'queue-lease',
  queue: 'q',
  fromCursor: 0,
  scanTo: 0,
  leaseMs: 1000,
  grants: [],
  waiting: [],
  drops: [],
  ...over,
});
const grant = (offset: number, key: Uint8Array | null = null) => ({
  offset,
  appendTimeMs: 1,
  key,
  deadLetter: false,
});
const settle = (ops: QueueOp[], producerId = -1, producerEpoch = 0): QueueSettleCommand => ({
  type: 'queue-settle',
  queue: 'q',
  producerId,
  producerEpoch,
  ops,
});
const op = (kind: QueueOp['kind'], offset: number, leaseId: number, ms = 0, error = ''): QueueOp => ({
  kind,
  offset,
  leaseId,
  ms,
  error,
});
const granted = (r: PartitionResult) => (r.ok && r.type === 'queue-leased' ? r.granted : r);
const codes = (r: PartitionResult) =>
  r.ok && r.type === 'queue-settled' ? r.outcomes.map((o) => o.code ?? 'ok') : r;

function withRecords(n: number): Replica {
  const r = new Replica();
  r.apply({ type: 'append', acks: 'quorum', batch: batch({ records: n }) }, 1000);
  return r;
}

describe('queue groups in the partition state machine', () => {
  it('leases, acks and never leases an acked message again; a repeated ack succeeds', () => {
    const r = withRecords(3);
    expect(granted(r.apply(lease({ scanTo: 3, grants: [grant(0), grant(1)] }), 2000))).toEqual([
      { offset: 0, leaseId: 1, deliveryCount: 1, expiresAtMs: 3000 },
      { offset: 1, leaseId: 2, deliveryCount: 1, expiresAtMs: 3000 },
    ]);
    expect(codes(r.apply(settle([op('ack', 0, 1), op('ack', 0, 1), op('ack', 1, 9)]), 2100))).toEqual([
      'ok',
      'ok',
      'UNKNOWN_LEASE',
    ]);
    // After the lease ran out offset 1 may be leased again, offset 0 never.
    expect(granted(r.apply(lease({ fromCursor: 3, scanTo: 3, grants: [grant(0), grant(1)] }), 3000))).toEqual(
      [{ offset: 1, leaseId: 3, deliveryCount: 2, expiresAtMs: 4000 }],
    );
    // Offset 1's first lease is stale now; lease 4 was never given.
    expect(codes(r.apply(settle([op('nack', 1, 2), op('ack', 1, 4)]), 3100))).toEqual([
      'LEASE_EXPIRED',
      'UNKNOWN_LEASE',
    ]);
  });

  it('a lease that ran out still settles while nobody leased the message again, as SQS receipts do', () => {
    const r = withRecords(1);
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    expect(codes(r.apply(settle([op('extend', 0, 1, 1000)]), 5000))).toEqual(['ok']);
    expect(codes(r.apply(settle([op('ack', 0, 1)]), 9000))).toEqual(['ok']);
  });

  it('does not grant a redelivery before the lease runs out, and refuses a stale plan', () => {
    const r = withRecords(2);
    r.apply(lease({ scanTo: 2, grants: [grant(0)] }), 2000);
    expect(granted(r.apply(lease({ fromCursor: 2, scanTo: 2, grants: [grant(0)] }), 2999))).toEqual([]);
    const stale = r.apply(lease({ fromCursor: 0, scanTo: 2, grants: [grant(1)] }), 3000);
    expect(stale).toMatchObject({ ok: false, code: 'UNAVAILABLE' });
    expect(r.apply(lease({ fromCursor: 2, scanTo: 5 }), 3000)).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
  });

  it('nack with a delay keeps the message waiting, then it is leased again with its count', () => {
    const r = withRecords(1);
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    expect(codes(r.apply(settle([op('nack', 0, 1, 500, 'boom')]), 2100))).toEqual(['ok']);
    expect(granted(r.apply(lease({ fromCursor: 1, scanTo: 1, grants: [grant(0)] }), 2599))).toEqual([]);
    expect(granted(r.apply(lease({ fromCursor: 1, scanTo: 1, grants: [grant(0)] }), 2600))).toMatchObject([
      { offset: 0, leaseId: 2, deliveryCount: 2 },
    ]);
    expect(r.sm.queues.group('q')?.get(0)?.lastError).toBe('boom');
  });

  it('extends a lease from the entry time and answers the new expiry', () => {
    const r = withRecords(1);
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    const result = r.apply(settle([op('extend', 0, 1, 5000)]), 2500);
    expect(result).toMatchObject({ type: 'queue-settled', outcomes: [{ expiresAtMs: 7500 }] });
    expect(granted(r.apply(lease({ fromCursor: 1, scanTo: 1, grants: [grant(0)] }), 7000))).toEqual([]);
  });

  it('answers UNKNOWN_LEASE for offsets never leased and for a queue that leased nothing', () => {
    const r = withRecords(2);
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    expect(codes(r.apply(settle([op('ack', 1, 1)]), 2100))).toEqual(['UNKNOWN_LEASE']);
    expect(codes(r.apply({ ...settle([op('ack', 0, 1)]), queue: 'other' }, 2100))).toEqual(['UNKNOWN_LEASE']);
  });

  it('keeps waiting messages of a scan and counts drops and dead-letter moves', () => {
    const r = withRecords(4);
    const deadLetter = { ...grant(2), deadLetter: true };
    r.apply(
      lease({
        scanTo: 4,
        grants: [grant(0), deadLetter],
        waiting: [{ offset: 1, appendTimeMs: 1, key: null, visibleAtMs: 9000 }],
        drops: [3],
      }),
      2000,
    );
    const g = r.sm.queues.group('q');
    expect(g?.get(1)).toMatchObject({ state: 'waiting', untilMs: 9000 });
    expect(g?.get(2)).toMatchObject({ state: 'leased', deliveryCount: 0 });
    expect(codes(r.apply(settle([op('dead-letter', 2, 2)]), 2100))).toEqual(['ok']);
    expect(g?.deadLettered).toBe(2);
    expect(g?.pendingCount).toBe(2);
  });

  it('holds transactional acks until the marker: commit settles them, abort releases them', () => {
    const r = withRecords(2);
    r.apply(lease({ scanTo: 2, grants: [grant(0), grant(1)] }), 2000);
    expect(codes(r.apply(settle([op('ack', 0, 1), op('ack', 1, 2)], 7, 0), 2100))).toEqual(['ok', 'ok']);
    // Leased to nobody, settled by nobody yet: a lease past the expiry does not take them.
    expect(granted(r.apply(lease({ fromCursor: 2, scanTo: 2, grants: [grant(0)] }), 9000))).toEqual([]);
    const abort = encodeMarkerBatch({ producerId: 7, producerEpoch: 0, type: 'abort', timestampMs: 1 });
    r.apply({ type: 'append', acks: 'quorum', batch: abort }, 9100);
    expect(
      granted(r.apply(lease({ fromCursor: 2, scanTo: 2, grants: [grant(0), grant(1)] }), 9200)),
    ).toHaveLength(2);
    expect(codes(r.apply(settle([op('ack', 0, 3)], 7, 1), 9300))).toEqual(['ok']);
    const commit = encodeMarkerBatch({ producerId: 7, producerEpoch: 1, type: 'commit', timestampMs: 1 });
    r.apply({ type: 'append', acks: 'quorum', batch: commit }, 9400);
    expect(r.sm.queues.group('q')?.get(0)).toBeUndefined();
    expect(r.apply(settle([op('ack', 1, 4)], 7, 0), 9500)).toMatchObject({
      ok: false,
      code: 'PRODUCER_FENCED',
    });
  });

  it('survives a snapshot with leases, keys and waiting messages intact', () => {
    const r = withRecords(3);
    const key = new Uint8Array([1, 2, 3]);
    r.apply(
      lease({
        scanTo: 2,
        grants: [grant(0, key)],
        waiting: [{ offset: 1, appendTimeMs: 5, key, visibleAtMs: 0 }],
      }),
      2000,
    );
    r.apply(settle([op('nack', 0, 1, 100, 'é')]), 2100);
    const before = r.sm.queues.group('q')?.toData();
    r.restore();
    expect(r.sm.queues.group('q')?.toData()).toEqual(before);
    expect(
      granted(r.apply(lease({ fromCursor: 2, scanTo: 3, grants: [grant(0), grant(2)] }), 2200)),
    ).toMatchObject([
      { offset: 0, leaseId: 2, deliveryCount: 2 },
      { offset: 2, leaseId: 3, deliveryCount: 1 },
    ]);
  });

  it('forgets messages retention removed and moves the scan past them', () => {
    const r = withRecords(5);
    r.apply(lease({ scanTo: 2, grants: [grant(0), grant(1)] }), 2000);
    r.apply({ type: 'set-log-start-offset', logStartOffset: 3 }, 2100);
    const g = r.sm.queues.group('q');
    expect(g?.pendingCount).toBe(0);
    expect(g?.cursor).toBe(3);
  });

  it('refuses bad names, oversized commands and errors without changing anything', () => {
    const r = withRecords(1);
    expect(r.apply(lease({ queue: 'a b', scanTo: 1 }), 2000)).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
    expect(r.apply(lease({ scanTo: 1, grants: [grant(0), grant(0)] }), 2000)).toMatchObject({ ok: false });
    expect(r.sm.queues.names()).toEqual([]);
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    const long = 'x'.repeat(2000);
    expect(r.apply(settle([op('nack', 0, 1, 0, long)]), 2100)).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
  });

  it('leases only up to the last stable offset', () => {
    const r = new Replica();
    r.apply({ type: 'append', acks: 'quorum', batch: batch({ records: 1 }) }, 1000);
    r.apply(
      { type: 'append', acks: 'quorum', batch: batch({ records: 1, producerId: 3, transactional: true }) },
      1000,
    );
    expect(r.apply(lease({ scanTo: 2, grants: [grant(0), grant(1)] }), 2000)).toMatchObject({
      ok: false,
      code: 'INVALID_ARGUMENT',
    });
  });
});

describe('deleting a queue group', () => {
  const remove = (queue = 'q'): QueueDeleteCommand => ({ type: 'queue-delete', queue });

  it('drops the group: its leases answer UNKNOWN_LEASE and a new group starts at the log start', () => {
    const r = withRecords(3);
    r.apply(lease({ scanTo: 3, grants: [grant(0), grant(1)] }), 2000);
    r.apply(settle([op('ack', 0, 1)]), 2100);
    expect(r.apply(remove(), 2200)).toEqual({ ok: true, type: 'queue-deleted' });
    expect(r.sm.queues.names()).toEqual([]);
    expect(codes(r.apply(settle([op('ack', 1, 2), op('extend', 1, 2, 10)]), 2300))).toEqual([
      'UNKNOWN_LEASE',
      'UNKNOWN_LEASE',
    ]);
    // The old ack is gone: offset 0 is delivered again, under ids above every old one.
    expect(granted(r.apply(lease({ scanTo: 3, grants: [grant(0), grant(1)] }), 2400))).toEqual([
      { offset: 0, leaseId: 3, deliveryCount: 1, expiresAtMs: 3400 },
      { offset: 1, leaseId: 4, deliveryCount: 1, expiresAtMs: 3400 },
    ]);
    // An id of the deleted group never settles a lease of the new one.
    expect(codes(r.apply(settle([op('ack', 1, 2)]), 2500))).toEqual(['LEASE_EXPIRED']);
  });

  it('answers QUEUE_GROUP_NOT_FOUND for a group the partition does not hold, and refuses bad names', () => {
    const r = withRecords(1);
    expect(r.apply(remove(), 2000)).toMatchObject({ ok: false, code: 'QUEUE_GROUP_NOT_FOUND' });
    r.apply(lease({ scanTo: 1, grants: [grant(0)] }), 2000);
    expect(r.apply(remove('a b'), 2100)).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(r.apply(remove(), 2100)).toMatchObject({ ok: true });
    expect(r.apply(remove(), 2200)).toMatchObject({ ok: false, code: 'QUEUE_GROUP_NOT_FOUND' });
  });

  it('makes room for a new group once the partition holds the most it keeps', () => {
    const r = withRecords(1);
    for (let i = 0; i < queueLimits.groupsMax; i++) r.apply(lease({ queue: `g${i}`, scanTo: 1 }), 2000);
    const refused = r.apply(lease({ queue: 'extra', scanTo: 1 }), 2000);
    expect(refused).toMatchObject({ ok: false, code: 'RESOURCE_EXHAUSTED' });
    expect(refused.ok ? '' : refused.message).toContain('delete');
    r.apply(remove('g7'), 2100);
    expect(r.apply(lease({ queue: 'extra', scanTo: 1, grants: [grant(0)] }), 2200)).toMatchObject({
      ok: true,
    });
    expect(r.sm.queues.names()).toHaveLength(queueLimits.groupsMax);
    expect(r.sm.queues.group('g7')).toBeUndefined();
  });

  it('survives a snapshot: the group stays gone and new lease ids stay above the old ones', () => {
    const r = withRecords(2);
    r.apply(lease({ queue: 'keep', scanTo: 2, grants: [grant(0)] }), 2000);
    r.apply(lease({ scanTo: 2, grants: [grant(0), grant(1)] }), 2000);
    r.apply(remove(), 2100);
    const before = r.sm.toData();
    r.restore();
    expect(r.sm.toData()).toEqual(before);
    expect(r.sm.queues.names()).toEqual(['keep']);
    expect(granted(r.apply(lease({ scanTo: 2, grants: [grant(1)] }), 2200))).toMatchObject([
      { offset: 1, leaseId: 3, deliveryCount: 1 },
    ]);
  });

  it('leaves every replica in the same state, whether it replays the log or restores a snapshot', () => {
    const run = (snapshotAt: number): Uint8Array => {
      const r = withRecords(3);
      const steps: [PartitionCommand, number][] = [
        [lease({ scanTo: 3, grants: [grant(0), grant(1)] }), 2000],
        [settle([op('ack', 0, 1)]), 2100],
        [remove(), 2200],
        [lease({ scanTo: 3, grants: [grant(0)] }), 2300],
        [remove(), 2400],
        [lease({ scanTo: 2, grants: [grant(1)] }), 2500],
      ];
      steps.forEach(([command, at], i) => {
        if (i === snapshotAt) r.restore();
        r.apply(command, at);
      });
      return encodePartitionSnapshot(r.sm);
    };
    const replayed = run(-1);
    for (let at = 0; at < 6; at++) expect(run(at)).toEqual(replayed);
  });
});
