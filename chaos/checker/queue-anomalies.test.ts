import { describe, expect, it } from 'vitest';
import type { HeldLease, LeasedRecord } from '../history/index.js';
import { check } from './check.js';
import { HistoryBuilder } from './history-builder.js';
import type { AnomalyName, CheckResult } from './types.js';

const k = 'q/0';

function leased(offset: number, value: string, leaseId: string, deliveryCount = 1): LeasedRecord {
  return { offset, value, leaseId, deliveryCount, expiresAtMs: 1_000_000 };
}

function held(l: LeasedRecord): HeldLease {
  return { offset: l.offset, value: l.value, leaseId: l.leaseId };
}

function nonZero(result: CheckResult): Partial<Record<AnomalyName, number>> {
  return Object.fromEntries(Object.entries(result.anomalyCounts).filter(([, n]) => n > 0));
}

/** m0 enqueued at offset 0, leased by consumer 10 with lease 1 and acked. */
function enqueueLeaseAck(h: HistoryBuilder): LeasedRecord {
  h.enqueue(1, k, 'm0', 0);
  const first = leased(0, 'm0', '1');
  h.lease(10, k, [first]);
  h.ack(10, k, [held(first)]);
  return first;
}

describe('check: the queue workload', () => {
  it('a clean run: enqueued, leased, expired, leased again, acked', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    h.enqueue(1, k, 'm1', 1);
    h.lease(10, k, [leased(0, 'm0', '1'), leased(1, 'm1', '2')]);
    h.ack(10, k, [{ offset: 0, value: 'm0', leaseId: '1' }]);
    h.lease(11, k, [leased(1, 'm1', '3', 2)]);
    h.ack(11, k, [{ offset: 1, value: 'm1', leaseId: '3' }]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.valid).toBe(true);
    expect(result.queue).toEqual({
      enqueued: { ok: 2, fail: 0, info: 0 },
      deliveries: 3,
      redeliveries: 1,
      deliveriesPerMessage: { '1': 1, '2': 1 },
      acks: { ok: 2, failed: 0, unknown: 0 },
      nacks: { ok: 0, failed: 0, unknown: 0 },
      ackUnknown: 0,
    });
  });

  it('a history without queue operations has no queue summary', () => {
    const h = new HistoryBuilder();
    h.send(1, 't/0', 'v0', 0);
    expect(check(h.events).queue).toBeUndefined();
  });

  it('lost: an acknowledged enqueue never leased', () => {
    const h = new HistoryBuilder();
    const enqueued = h.enqueue(1, k, 'm0', 0);
    h.lease(10, k, []);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({ lost: 1 });
    expect(result.anomalies[0]).toMatchObject({
      name: 'lost',
      key: k,
      ops: [enqueued.invoke, enqueued.done],
    });
    expect(result.anomalies[0]?.message).toBe('message m0 enqueued at offset 0 was never leased');
    expect(result.queue?.deliveriesPerMessage).toEqual({ '0': 1 });
  });

  it('lost: leased, but every ack failed (the lease had expired)', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.ack(10, k, [held(l)], ['LEASE_EXPIRED']);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({ lost: 1 });
    expect(result.anomalies[0]?.message).toContain('leased 1 times but never acked');
    expect(result.queue?.acks).toEqual({ ok: 0, failed: 1, unknown: 0 });
  });

  it('lost: an ack of unknown outcome, but the message was leased again after it and never acked', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.invokeAck(10, k, [held(l)]);
    h.completeSettle(10, 'info');
    h.lease(11, k, [leased(0, 'm0', '2', 2)]);
    expect(nonZero(check(h.events))).toEqual({ lost: 1 });
  });

  it('not lost: an ack answered UNKNOWN_LEASE (maybe already acked) and no lease after it', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.ack(10, k, [held(l)], ['UNKNOWN_LEASE']);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.queue).toMatchObject({ ackUnknown: 1, acks: { ok: 0, failed: 0, unknown: 1 } });
  });

  it('not lost: the last ack of it has an unknown outcome and it was never leased again', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.invokeAck(10, k, [held(l)]);
    h.completeSettle(10, 'info');
    h.lease(11, k, []);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.queue).toMatchObject({ ackUnknown: 1, acks: { ok: 0, failed: 0, unknown: 1 } });
  });

  it('not lost: an enqueue of unknown or failed outcome that nobody leased', () => {
    const h = new HistoryBuilder();
    h.invokeEnqueue(1, k, 'm0');
    h.completeEnqueue(1, 'info');
    h.invokeEnqueue(2, k, 'm1');
    h.completeEnqueue(2, 'fail');
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.queue?.enqueued).toEqual({ ok: 0, fail: 1, info: 1 });
  });

  it('duplicated-after-ack: leased again by a lease invoked after the ack was acknowledged', () => {
    const h = new HistoryBuilder();
    const first = enqueueLeaseAck(h);
    const acked = h.events.length - 1;
    const again = h.lease(11, k, [leased(0, 'm0', '2', 2)]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({ 'duplicated-after-ack': 1 });
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: [acked - 1, acked, again.invoke, again.done] });
    expect(result.anomalies[0]?.message).toBe(
      'message m0 at offset 0 was leased again (lease 2, delivery 2) after an ack of it was acknowledged',
    );
    expect(first.leaseId).toBe('1');
  });

  it('duplicated-after-ack also after a failover: the ack on the old leader, the lease from the new one', () => {
    const h = new HistoryBuilder();
    h.leader(k, 1, 1);
    enqueueLeaseAck(h);
    h.fault('kill', 'start', [1]);
    h.leader(k, 2, 2);
    h.lease(11, k, [leased(0, 'm0', '7', 2)]);
    h.fault('kill', 'end', [1]);
    expect(nonZero(check(h.events))).toEqual({ 'duplicated-after-ack': 1 });
  });

  it('no duplicate: a lease in flight while the ack was, or after an ack that failed or is unknown', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    h.enqueue(1, k, 'm1', 1);
    const l0 = leased(0, 'm0', '1');
    const l1 = leased(1, 'm1', '2');
    h.lease(10, k, [l0, l1]);
    h.invokeLease(11, k);
    h.ack(10, k, [held(l0)]);
    h.completeLease(11, 'ok', [leased(0, 'm0', '3', 2)]);
    h.invokeAck(10, k, [held(l1)]);
    h.completeSettle(10, 'info');
    const l1Again = leased(1, 'm1', '4', 2);
    h.lease(12, k, [l1Again]);
    h.ack(12, k, [held(l1Again)]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.queue).toMatchObject({ redeliveries: 2, acks: { ok: 2, unknown: 1 } });
  });

  it('acking an acked message again is fine, and a redelivery after a nack is allowed', () => {
    const h = new HistoryBuilder();
    h.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.invokeNack(10, k, [held(l)]);
    h.completeSettle(10, 'ok', ['ok']);
    const again = leased(0, 'm0', '2', 2);
    h.lease(11, k, [again]);
    h.ack(11, k, [held(again)]);
    h.ack(11, k, [held(again)]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({});
    expect(result.queue).toMatchObject({ acks: { ok: 2 }, nacks: { ok: 1 } });
  });

  it('unexpected: a message leased that nobody enqueued', () => {
    const h = new HistoryBuilder();
    const got = h.lease(10, k, [leased(3, 'ghost', '9')]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({ unexpected: 1 });
    expect(result.anomalies[0]).toMatchObject({ name: 'unexpected', ops: [got.invoke, got.done] });
    expect(result.anomalies[0]?.message).toContain(
      'ghost was leased at offset 3 (lease 9) but never enqueued',
    );
  });

  it('unexpected: a message leased from another partition than the one it was enqueued to', () => {
    const h = new HistoryBuilder();
    h.invokeEnqueue(1, 'q/1', 'm0');
    h.completeEnqueue(1, 'info');
    h.lease(10, k, [leased(0, 'm0', '1')]);
    expect(nonZero(check(h.events))).toEqual({ unexpected: 1 });
  });

  it('unexpected: a message leased although its enqueue definitely failed', () => {
    const h = new HistoryBuilder();
    h.invokeEnqueue(1, k, 'm0');
    h.completeEnqueue(1, 'fail');
    h.lease(10, k, [leased(0, 'm0', '1')]);
    const result = check(h.events);
    expect(nonZero(result)).toEqual({ unexpected: 1 });
    expect(result.anomalies[0]?.message).toBe('message m0 was leased although its enqueue failed');
  });

  it('an enqueue of unknown outcome that was leased and acked is fine', () => {
    const h = new HistoryBuilder();
    h.invokeEnqueue(1, k, 'm0');
    h.completeEnqueue(1, 'info');
    const l = leased(0, 'm0', '1');
    h.lease(10, k, [l]);
    h.ack(10, k, [held(l)]);
    expect(nonZero(check(h.events))).toEqual({});
  });

  it('refuses a value enqueued twice and an ack answered with the wrong number of outcomes', () => {
    const twice = new HistoryBuilder();
    twice.enqueue(1, k, 'm0', 0);
    twice.enqueue(2, k, 'm0', 1);
    expect(() => check(twice.events)).toThrow(/enqueued twice/);
    const short = new HistoryBuilder();
    short.enqueue(1, k, 'm0', 0);
    const l = leased(0, 'm0', '1');
    short.lease(10, k, [l]);
    short.ack(10, k, [held(l)], []);
    expect(() => check(short.events)).toThrow(/one outcome per lease/);
  });

  it('enqueues time failovers as sends do', () => {
    const h = new HistoryBuilder();
    h.leader(k, 1);
    h.enqueue(1, k, 'm0', 0);
    const fault = h.at(100).fault('kill', 'start', [1]);
    h.at(600).enqueue(1, k, 'm1', 1);
    expect(check(h.events).failovers).toEqual([{ faultIndex: fault, kind: 'kill', ms: 501 }]);
  });
});
