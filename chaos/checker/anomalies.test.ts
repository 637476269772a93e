import { describe, expect, it } from 'vitest';
import { check } from './check.js';
import { HistoryBuilder, type OpIndices } from './history-builder.js';
import { anomalyNames, type AnomalyName, type CheckResult } from './types.js';

const k = 't/0';

/** Asserts that `name` is the only anomaly reported, `count` times. */
function expectOnly(result: CheckResult, name: AnomalyName, count = 1): void {
  const expected = Object.fromEntries(anomalyNames.map((n) => [n, n === name ? count : 0]));
  expect(result.anomalyCounts).toEqual(expected);
  expect(result.valid).toBe(false);
  expect(result.anomalies.map((a) => a.name)).toEqual(Array<string>(count).fill(name));
}

function opsOf(...ops: OpIndices[]): number[] {
  return ops.flatMap((o) => [o.invoke, o.done]).sort((a, b) => a - b);
}

/** Three acknowledged sends to `k` at offsets 0, 1, 2 by process 1. */
function threeSends(h: HistoryBuilder): OpIndices[] {
  return ['v0', 'v1', 'v2'].map((v, i) => h.send(1, k, v, i));
}

describe('check: each anomaly in a crafted history', () => {
  it('lost-write: an acknowledged value is missing although a later one was read', () => {
    const h = new HistoryBuilder();
    const [, lost] = threeSends(h);
    h.assign(10, [k]);
    h.poll(10, k, 0, [[0, 'v0']]);
    h.assign(11, [k], false);
    const pastIt = h.poll(11, k, 2, [[2, 'v2']]);
    const result = check(h.events);
    expectOnly(result, 'lost-write');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(lost!, pastIt) });
    expect(result.anomalies[0]?.message).toContain('v1 acknowledged at offset 1 was never read');
  });

  it('duplicate: one value at two offsets', () => {
    const h = new HistoryBuilder();
    const [sent] = threeSends(h);
    h.assign(10, [k]);
    const read = h.poll(10, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v0'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'duplicate');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(sent!, read) });
    expect(result.anomalies[0]?.message).toBe('value v0 is at offsets 0 and 3');
  });

  it('inconsistent-offsets: two readers see different values at one offset', () => {
    const h = new HistoryBuilder();
    h.invokeSend(1, k, 'a');
    h.completeSend(1, 'ok');
    h.invokeSend(2, k, 'b');
    h.completeSend(2, 'ok');
    h.assign(10, [k]);
    const first = h.poll(10, k, 0, [[0, 'a']]);
    h.assign(11, [k]);
    const second = h.poll(11, k, 0, [[0, 'b']]);
    const result = check(h.events);
    expectOnly(result, 'inconsistent-offsets');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(first, second) });
    expect(result.anomalies[0]?.message).toBe('offset 0 holds a and b');
  });

  it('inconsistent-offsets: an acknowledged offset read with another value (the acked one is lost)', () => {
    const h = new HistoryBuilder();
    const acked = h.send(1, k, 'a', 0);
    h.invokeSend(2, k, 'b');
    h.completeSend(2, 'info');
    h.assign(10, [k]);
    const read = h.poll(10, k, 0, [[0, 'b']]);
    const result = check(h.events);
    expect(result.anomalyCounts['inconsistent-offsets']).toBe(1);
    expect(result.anomalyCounts['lost-write']).toBe(1);
    expect(result.anomalies.find((a) => a.name === 'inconsistent-offsets')?.ops).toEqual(opsOf(acked, read));
  });

  it('nonmonotonic-send: a process acknowledged at a lower offset than before', () => {
    const h = new HistoryBuilder();
    const higher = h.send(1, k, 'v0', 1);
    const lower = h.send(1, k, 'v1', 0);
    h.assign(10, [k]);
    h.poll(10, k, 0, [
      [0, 'v1'],
      [1, 'v0'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'nonmonotonic-send');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(higher, lower) });
  });

  it('nonmonotonic-poll: a poll starts at or before where the previous one ended', () => {
    const h = new HistoryBuilder();
    threeSends(h);
    h.assign(10, [k]);
    const before = h.poll(10, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
    ]);
    const after = h.poll(10, k, 2, [
      [1, 'v1'],
      [2, 'v2'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'nonmonotonic-poll');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(before, after) });
  });

  it('nonmonotonic-poll: the first poll after an assign returns records before where it asked', () => {
    const h = new HistoryBuilder();
    threeSends(h);
    h.assign(10, [k], false);
    const poll = h.poll(10, k, 2, [
      [1, 'v1'],
      [2, 'v2'],
    ]);
    h.assign(11, [k]);
    h.poll(11, k, 0, [[0, 'v0']]);
    const result = check(h.events);
    expectOnly(result, 'nonmonotonic-poll');
    expect(result.anomalies[0]?.ops).toEqual(opsOf(poll));
  });

  it('poll-skip: the next poll starts past a value that exists', () => {
    const h = new HistoryBuilder();
    const [, skipped] = threeSends(h);
    h.assign(10, [k]);
    const before = h.poll(10, k, 0, [[0, 'v0']]);
    const after = h.poll(10, k, 1, [[2, 'v2']]);
    h.assign(11, [k]);
    h.poll(11, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'poll-skip');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(before, after, skipped!) });
    expect(result.anomalies[0]?.message).toContain('skipping offset 1 (v1)');
  });

  it('poll-skip: an empty first poll, then a poll past the value it should have returned', () => {
    const h = new HistoryBuilder();
    const [skipped] = threeSends(h);
    h.assign(10, [k]);
    const empty = h.poll(10, k, 0, []);
    const after = h.poll(10, k, 1, [[1, 'v1']]);
    h.poll(10, k, 2, [[2, 'v2']]);
    h.assign(11, [k]);
    h.poll(11, k, 0, [[0, 'v0']]);
    const result = check(h.events);
    expectOnly(result, 'poll-skip');
    expect(result.anomalies[0]?.ops).toEqual(opsOf(empty, after, skipped!));
  });

  it('int-poll-skip: one poll passes over a value that exists', () => {
    const h = new HistoryBuilder();
    const [, skipped] = threeSends(h);
    h.assign(10, [k]);
    const poll = h.poll(10, k, 0, [
      [0, 'v0'],
      [2, 'v2'],
    ]);
    h.assign(11, [k]);
    h.poll(11, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'int-poll-skip');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(poll, skipped!) });
  });

  it('int-nonmonotonic-poll: one poll returns offsets out of order', () => {
    const h = new HistoryBuilder();
    threeSends(h);
    h.assign(10, [k]);
    const poll = h.poll(10, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
      [0, 'v0'],
      [1, 'v1'],
      [2, 'v2'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'int-nonmonotonic-poll');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(poll) });
  });

  it('unseen: an acknowledged value no poll read, past the highest offset read', () => {
    const h = new HistoryBuilder();
    const [, , unseen] = threeSends(h);
    h.assign(10, [k]);
    h.poll(10, k, 0, [
      [0, 'v0'],
      [1, 'v1'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'unseen');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(unseen!) });
  });

  it('unseen: an acknowledged send without an offset that nobody read', () => {
    const h = new HistoryBuilder();
    h.send(1, k, 'v0', 0);
    const invoke = h.invokeSend(1, k, 'v1');
    const done = h.completeSend(1, 'ok');
    h.assign(10, [k]);
    h.poll(10, k, 0, [[0, 'v0']]);
    const result = check(h.events);
    expectOnly(result, 'unseen');
    expect(result.anomalies[0]?.ops).toEqual([invoke, done]);
  });

  it('G1a: a value read although its send failed', () => {
    const h = new HistoryBuilder();
    const invoke = h.invokeSend(1, k, 'v0');
    const done = h.completeSend(1, 'fail');
    h.assign(10, [k]);
    const poll = h.poll(10, k, 0, [[0, 'v0']]);
    const result = check(h.events);
    expectOnly(result, 'G1a');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: [invoke, done, poll.invoke, poll.done] });
  });

  it('phantom: a value read that nobody sent', () => {
    const h = new HistoryBuilder();
    h.send(1, k, 'v0', 0);
    h.assign(10, [k]);
    const poll = h.poll(10, k, 0, [
      [0, 'v0'],
      [1, 'ghost'],
    ]);
    const result = check(h.events);
    expectOnly(result, 'phantom');
    expect(result.anomalies[0]).toMatchObject({ key: k, ops: opsOf(poll) });
  });
});

describe('check: counting and reporting', () => {
  it('reports a lost write once, not also as unseen', () => {
    const h = new HistoryBuilder();
    threeSends(h);
    h.assign(10, [k]);
    h.poll(10, k, 0, [[0, 'v0']]);
    h.assign(11, [k], false);
    h.poll(11, k, 2, [[2, 'v2']]);
    const result = check(h.events);
    expect(result.anomalyCounts['lost-write']).toBe(1);
    expect(result.anomalyCounts.unseen).toBe(0);
  });

  it('counts every anomaly but keeps at most examplesMax examples per name', () => {
    const h = new HistoryBuilder();
    for (let i = 0; i < 50; i++) h.send(1, k, `v${i}`, i);
    const result = check(h.events, { examplesMax: 3 });
    expect(result.anomalyCounts.unseen).toBe(50);
    expect(result.anomalies).toHaveLength(3);
  });

  it('reports in the order of the anomaly names, each with the key involved', () => {
    const h = new HistoryBuilder();
    h.invokeSend(1, 'a', 'x');
    h.completeSend(1, 'fail');
    h.send(2, 'b', 'y', 0);
    h.assign(10, ['a']);
    h.poll(10, 'a', 0, [[0, 'x']]);
    const result = check(h.events);
    expect(result.anomalies.map((a) => [a.name, a.key])).toEqual([
      ['unseen', 'b'],
      ['G1a', 'a'],
    ]);
  });

  it('leaves values of one key apart from the same values of another', () => {
    const h = new HistoryBuilder();
    h.send(1, 'a', 'v0', 0);
    h.send(1, 'b', 'v0', 0);
    h.assign(10, ['a']);
    h.poll(10, 'a', 0, [[0, 'v0']]);
    h.assign(10, ['b']);
    h.poll(10, 'b', 0, [[0, 'v0']]);
    expect(check(h.events).valid).toBe(true);
  });
});
