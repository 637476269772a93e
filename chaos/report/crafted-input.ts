import type { SecondSample } from '../checker/types.js';
import { CraftedHistory, emptyResult, zeroCounts } from './crafted-history.js';
import type { ReportInput } from './types.js';

/** What the crafted run must draw; the tests compare the page against these numbers. */
export const craftedCounts = {
  faultRects: 5,
  openFaults: 1,
  leaderRects: 4,
  noLeaderRects: 2,
  leaderChanges: 4,
  latencyLines: 4,
  unavailable: 1,
} as const;

export const hostileValue = '<img src=x onerror=alert(1)>';
export const hostileMessage = 'read as v9 </td><script>alert("x")</script>';

function second(s: number): SecondSample {
  if (s === 10) return { second: s, ok: 0, fail: 0, info: 5 };
  if (s === 11) return { second: s, ok: 0, fail: 3, info: 0 };
  const p99 = s >= 20 && s < 24 ? 400 : 12;
  return { second: s, ok: 50, fail: 0, info: 0, latencyMs: { p50: 3, p99, max: p99 + 5 } };
}

/**
 * A short hand-made run: a partition, a kill, a pause, cluster-wide latency and a clock skew left
 * in force, two keys changing leaders, and two anomalies, one of them pointing at an operation
 * the history lacks.
 */
export function craftedReportInput(): ReportInput {
  const h = new CraftedHistory();
  h.phase(0, 'faults');
  h.assign(100, 9, 'invoke', ['chaos/0']);
  h.assign(105, 9, 'ok', ['chaos/0']);
  h.leader(300, 'chaos/0', 1, 2);
  h.leader(300, 'chaos/1', 2, 2);
  h.send(1000, 0, 'invoke', 'chaos/0', 'v1');
  h.send(1004, 0, 'ok', 'chaos/0', 'v1', 0);
  const lostInvoke = h.send(1010, 0, 'invoke', 'chaos/0', 'v2');
  const lostOk = h.send(1013, 0, 'ok', 'chaos/0', 'v2', 1);
  h.send(1020, 1, 'invoke', 'chaos/1', hostileValue);
  const hostile = h.send(1025, 1, 'ok', 'chaos/1', hostileValue, 0);
  const partition = h.fault(2000, 'start', 'partition', [2], 'isolate node 2 (both directions)');
  h.leader(2100, 'chaos/1', 0);
  h.leader(3400, 'chaos/1', 1, 3);
  h.fault(6000, 'end', 'partition', [2]);
  h.poll(7000, 9, 'invoke', 'chaos/0', 0);
  const read = h.poll(7005, 9, 'ok', 'chaos/0', 0, [
    [0, 'v1'],
    [1, 'v9'],
  ]);
  const kill = h.fault(10_000, 'start', 'kill', [1], 'SIGKILL node 1');
  h.leader(10_050, 'chaos/0', 0);
  h.leader(10_500, 'chaos/0', 3, 4);
  h.fault(13_000, 'end', 'kill', [1]);
  h.fault(15_000, 'start', 'pause', [3], 'SIGSTOP node 3');
  h.fault(18_000, 'end', 'pause', [3]);
  h.fault(20_000, 'start', 'latency', [], '400 ms on every link');
  h.fault(24_000, 'end', 'latency', []);
  h.fault(25_000, 'start', 'clock-skew', [1], 'node 1 clock +30 s');
  h.phase(28_000, 'heal');
  h.phase(29_000, 'drain');
  h.phase(30_000, 'done');
  const ops = [lostInvoke.index, lostOk.index, read.index];
  return {
    scenario: 'crafted',
    seed: 42,
    nodes: 3,
    durationS: 30,
    startedAt: '2026-12-02T12:00:00.000Z',
    history: h.events,
    result: emptyResult({
      valid: false,
      operations: { ok: 3, fail: 0, info: 0 },
      anomalyCounts: { ...zeroCounts(), 'lost-write': 1, 'inconsistent-offsets': 1 },
      anomalies: [
        {
          name: 'lost-write',
          key: 'chaos/0',
          message: 'value v2 acknowledged at offset 1 was never read',
          ops,
        },
        {
          name: 'inconsistent-offsets',
          key: 'chaos/0',
          message: hostileMessage,
          ops: [...ops, hostile.index, 99_999],
        },
      ],
      faults: { partition: 1, kill: 1, pause: 1, latency: 1, 'clock-skew': 1 },
      failovers: [
        { faultIndex: kill.index, kind: 'kill', ms: 480 },
        { faultIndex: partition.index, kind: 'partition', ms: 1450 },
      ],
      failoverMs: { p50: 480, max: 1450 },
      unavailability: [{ fromMs: 10_000, toMs: 12_000 }],
      timeline: Array.from({ length: 30 }, (_, s) => second(s)),
      sendLatencyMs: { p50: 3, p99: 400, max: 405 },
    }),
  };
}
