import { describe, expect, it } from 'vitest';
import type { SendOp } from '../history/index.js';
import { check } from './check.js';
import { HistoryBuilder } from './history-builder.js';
import { MalformedHistoryError } from './malformed-history-error.js';
import { anomalyNames } from './types.js';

describe('check: a clean history', () => {
  // Two producers and two readers on two keys through a kill and a partition, with failed and
  // indeterminate sends, empty polls, reassignment, sparse offsets and a final drain.
  function cleanHistory(): HistoryBuilder {
    const h = new HistoryBuilder(10);
    h.phase('faults');
    h.leader('a', 1, 1);
    h.leader('b', 2, 1);
    h.send(1, 'a', 'a0', 0);
    h.send(2, 'b', 'b0', 0);
    h.assign(10, ['a']);
    h.poll(10, 'a', 0, [[0, 'a0']]);
    h.fault('kill', 'start', [1]);
    h.leader('a', 0);
    h.invokeSend(1, 'a', 'a1');
    h.completeSend(1, 'info'); // lost with the leader, or not: either is allowed
    h.invokeSend(3, 'a', 'a2');
    h.completeSend(3, 'fail');
    h.poll(10, 'a', 1, []);
    h.leader('a', 3, 2);
    h.send(3, 'a', 'a3', 2); // offset 1 went to a1 after all, or to a control record
    h.fault('kill', 'end', [1]);
    h.send(2, 'b', 'b1', 1);
    h.fault('partition', 'start', [2]);
    h.invokeSend(2, 'b', 'b2');
    h.completeSend(2, 'info');
    h.poll(10, 'a', 1, [[2, 'a3']]);
    h.assign(11, ['b'], false);
    h.poll(11, 'b', 1, [[1, 'b1']]);
    h.fault('partition', 'end', [2]);
    h.send(4, 'b', 'b3', 3);
    h.poll(11, 'b', 2, [
      [2, 'b2'],
      [3, 'b3'],
    ]);
    h.phase('heal');
    h.phase('drain');
    h.assign(12, ['a', 'b']);
    h.poll(12, 'a', 0, [
      [0, 'a0'],
      [2, 'a3'],
    ]);
    h.poll(12, 'b', 0, [
      [0, 'b0'],
      [1, 'b1'],
      [2, 'b2'],
      [3, 'b3'],
    ]);
    h.phase('done');
    return h;
  }

  it('is valid with every anomaly count 0', () => {
    const result = check(cleanHistory().events);
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(result.anomalyCounts).sort()).toEqual([...anomalyNames].sort());
    expect(Object.values(result.anomalyCounts).every((n) => n === 0)).toBe(true);
  });

  it('counts completions by type and fault starts by kind', () => {
    const result = check(cleanHistory().events);
    expect(result.operations).toEqual({ ok: 15, fail: 1, info: 2 });
    expect(result.faults).toEqual({ kill: 1, partition: 1 });
  });

  it('is not fooled by a poll that read a value before its send was acknowledged', () => {
    const h = new HistoryBuilder();
    h.invokeSend(1, 'a', 'a0');
    h.assign(10, ['a']);
    h.poll(10, 'a', 0, [[0, 'a0']]);
    h.completeSend(1, 'ok', 0);
    expect(check(h.events).valid).toBe(true);
  });
});

describe('check: failovers', () => {
  it('times a fault to the first acknowledged send invoked after it', () => {
    const h = new HistoryBuilder();
    h.at(0).leader('a', 1);
    h.at(0).send(1, 'a', 'a0', 0);
    h.at(90).invokeSend(1, 'a', 'a1');
    const kill = h.at(100).fault('kill', 'start');
    h.at(110).completeSend(1, 'ok', 1); // in flight before the fault: proves nothing
    h.at(120).invokeSend(1, 'a', 'a2');
    h.at(300).completeSend(1, 'info');
    h.at(310).invokeSend(2, 'a', 'a3');
    h.at(400).completeSend(2, 'ok', 3);
    const result = check(h.events);
    expect(result.failovers).toEqual([{ faultIndex: kill, kind: 'kill', ms: 300 }]);
    expect(result.failoverMs).toEqual({ p50: 300, max: 300 });
  });

  it('summarises kill, partition and pause only, and omits faults never recovered from', () => {
    const h = new HistoryBuilder();
    const kinds = ['kill', 'partition', 'pause', 'latency', 'kill'] as const;
    const recoveryMs = [100, 300, 200, 5000];
    h.leader('a', 1);
    let time = 0;
    const faults = kinds.map((kind, i) => {
      const fault = h.at(time).fault(kind, 'start');
      const ms = recoveryMs[i];
      if (ms !== undefined) {
        h.at(time + 1).invokeSend(1, 'a', `a${i}`);
        h.at(time + ms).completeSend(1, 'ok', i);
      }
      time += 10_000;
      return fault;
    });
    const result = check(h.events, { unavailableMsMin: 60_000 });
    expect(result.failovers.map((f) => [f.faultIndex, f.kind, f.ms])).toEqual(
      recoveryMs.map((ms, i) => [faults[i], kinds[i], ms]),
    );
    expect(result.failoverMs).toEqual({ p50: 200, max: 300 });
  });

  it("waits for every key led by the fault's target, and ignores a fault that hit no leader", () => {
    const h = new HistoryBuilder();
    h.at(0).leader('a', 1);
    h.at(0).leader('b', 1);
    h.at(0).leader('c', 2);
    h.at(50).fault('kill', 'start', [3]);
    const kill = h.at(100).fault('kill', 'start', [1]);
    h.at(110).invokeSend(1, 'a', 'a1');
    h.at(150).completeSend(1, 'ok', 0);
    h.at(160).invokeSend(2, 'c', 'c1');
    h.at(170).completeSend(2, 'ok', 0);
    h.at(200).invokeSend(3, 'b', 'b1');
    h.at(700).completeSend(3, 'ok', 0);
    const result = check(h.events);
    expect(result.failovers).toEqual([{ faultIndex: kill, kind: 'kill', ms: 600 }]);
  });

  it('reports 0/0 without faults', () => {
    const h = new HistoryBuilder();
    h.send(1, 'a', 'a0', 0);
    expect(check(h.events).failoverMs).toEqual({ p50: 0, max: 0 });
  });
});

describe('check: unavailability', () => {
  it('reports a stretch of failing sends longer than the threshold', () => {
    const h = new HistoryBuilder();
    h.at(0).send(1, 'a', 'a0', 0);
    for (let t = 1000; t < 3000; t += 500) {
      h.at(t).invokeSend(1, 'a', `f${t}`);
      h.at(t + 400).completeSend(1, 'fail');
    }
    h.at(3000).invokeSend(1, 'a', 'a1');
    h.at(3600).completeSend(1, 'ok', 1);
    h.at(3700).send(1, 'a', 'a2', 2);
    expect(check(h.events, { unavailableMsMin: 1000 }).unavailability).toEqual([
      { fromMs: 1000, toMs: 3600 },
    ]);
    expect(check(h.events, { unavailableMsMin: 3000 }).unavailability).toEqual([]);
  });

  it('counts from the last acknowledgement while other sends are in flight', () => {
    const h = new HistoryBuilder();
    h.at(0).invokeSend(1, 'a', 'a0');
    h.at(10).invokeSend(2, 'a', 'a1');
    h.at(20).completeSend(1, 'ok', 0);
    h.at(2000).completeSend(2, 'ok', 1);
    expect(check(h.events).unavailability).toEqual([{ fromMs: 20, toMs: 2000 }]);
  });

  it('ends a final stretch at the last send, not at the end of a quiet drain', () => {
    const h = new HistoryBuilder();
    h.at(0).send(1, 'a', 'a0', 0);
    h.at(100).invokeSend(1, 'a', 'a1');
    h.at(1500).completeSend(1, 'info');
    h.at(9000).phase('drain');
    h.at(9001).assign(10, ['a']);
    h.at(9002).poll(10, 'a', 0, [[0, 'a0']]);
    expect(check(h.events).unavailability).toEqual([{ fromMs: 100, toMs: 1500 }]);
  });

  it('is empty when sends keep being acknowledged', () => {
    const h = new HistoryBuilder(100);
    for (let i = 0; i < 50; i++) h.send(1, 'a', `a${i}`, i);
    expect(check(h.events).unavailability).toEqual([]);
  });
});

describe('check: timeline', () => {
  it('counts completions per second, with the latency of the ok sends', () => {
    const h = new HistoryBuilder();
    h.at(0).invokeSend(1, 'a', 'a0');
    h.at(10).completeSend(1, 'ok', 0); // 10 ms
    h.at(20).invokeSend(1, 'a', 'a1');
    h.at(50).completeSend(1, 'ok', 1); // 30 ms
    h.at(60).invokeSend(1, 'a', 'a2');
    h.at(70).completeSend(1, 'fail');
    h.at(2500).invokeSend(2, 'a', 'a3');
    h.at(2600).completeSend(2, 'info');
    h.at(3100).assign(10, ['a']);
    h.at(3200).invokeSend(3, 'a', 'a4');
    h.at(3205.5).completeSend(3, 'ok', 4);
    h.at(3300).poll(10, 'a', 0, [
      [0, 'a0'],
      [1, 'a1'],
      [4, 'a4'],
    ]);
    const result = check(h.events);
    expect(result.timeline).toEqual([
      { second: 0, ok: 2, fail: 1, info: 0, latencyMs: { p50: 10, p99: 30, max: 30 } },
      { second: 1, ok: 0, fail: 0, info: 0 },
      { second: 2, ok: 0, fail: 0, info: 1 },
      { second: 3, ok: 3, fail: 0, info: 0, latencyMs: { p50: 5.5, p99: 5.5, max: 5.5 } },
    ]);
    expect(result.sendLatencyMs).toEqual({ p50: 10, p99: 30, max: 30 });
  });

  it('starts at the second of the first event', () => {
    const h = new HistoryBuilder();
    h.at(5_000).send(1, 'a', 'a0', 0);
    h.at(5_001).assign(10, ['a']);
    h.at(6_000).poll(10, 'a', 0, [[0, 'a0']]);
    expect(check(h.events).timeline.map((s) => s.second)).toEqual([5, 6]);
  });

  it('has no latency without acknowledged sends', () => {
    expect(check([]).sendLatencyMs).toBeUndefined();
    expect(check([]).timeline).toEqual([]);
  });
});

describe('check: malformed histories', () => {
  it('refuses a completion without an invoke', () => {
    const h = new HistoryBuilder();
    h.send(1, 'a', 'a0', 0);
    const orphan: SendOp = { ...(h.events[1] as SendOp), index: 2, process: 7 };
    expect(() => check([...h.events, orphan])).toThrow(MalformedHistoryError);
  });

  it('refuses a second invoke by a busy process', () => {
    const h = new HistoryBuilder();
    h.invokeSend(1, 'a', 'a0');
    const again: SendOp = { ...(h.events[0] as SendOp), index: 1, value: 'a1' };
    expect(() => check([...h.events, again])).toThrow(/busy/);
  });

  it('refuses a value sent twice to one key', () => {
    const h = new HistoryBuilder();
    h.send(1, 'a', 'a0', 0);
    h.invokeSend(1, 'a', 'a0');
    expect(() => check(h.events)).toThrow(/sent twice/);
  });

  it('refuses time going backwards', () => {
    const h = new HistoryBuilder();
    h.at(10).send(1, 'a', 'a0', 0);
    h.at(5).phase('done');
    expect(() => check(h.events)).toThrow(/before/);
  });
});
