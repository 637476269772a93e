import type {
  CheckResult,
  Failover,
  Percentiles,
  SecondSample,
  Unavailability,
} from '../../checker/types.js';
import type { FaultKind, HistoryEvent } from '../../history/types.js';
import { anomalyNames, type Anomaly } from '../../checker/types.js';

function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
}

interface Completion {
  readonly e: HistoryEvent;
  readonly invokedAt: number;
}

/** Client completions paired with the time their invoke was made. */
function completions(history: readonly HistoryEvent[]): Completion[] {
  const pending = new Map<number, number>();
  const out: Completion[] = [];
  for (const e of history) {
    if (e.process < 0) continue;
    if (e.type === 'invoke') pending.set(e.process, e.time);
    else out.push({ e, invokedAt: pending.get(e.process) ?? e.time });
  }
  return out;
}

function timeline(done: readonly Completion[]): SecondSample[] {
  const seconds: { ok: number; fail: number; info: number; latencies: number[] }[] = [];
  for (const { e, invokedAt } of done) {
    const s = Math.floor(e.time / 1000);
    for (let i = seconds.length; i <= s; i++) seconds.push({ ok: 0, fail: 0, info: 0, latencies: [] });
    const slot = seconds[s];
    if (slot === undefined || e.type === 'invoke') continue;
    slot[e.type]++;
    if (e.f === 'send' && e.type === 'ok') slot.latencies.push(e.time - invokedAt);
  }
  return seconds.map(({ latencies, ...counts }, second) =>
    latencies.length === 0 ? { second, ...counts } : { second, ...counts, latencyMs: percentiles(latencies) },
  );
}

/**
 * Time from each fault to the first acknowledged send invoked after it to a key whose leader the
 * fault hit (to any key when it hit none).
 */
function failovers(history: readonly HistoryEvent[], done: readonly Completion[]): Failover[] {
  const acks = done.filter(({ e }) => e.f === 'send' && e.type === 'ok');
  const leaders = new Map<string, number>();
  return history.flatMap((e) => {
    if (e.f === 'leader') leaders.set(e.key, e.leader);
    if (e.f !== 'fault' || e.phase !== 'start') return [];
    const hit = new Set([...leaders].filter(([, leader]) => e.nodes.includes(leader)).map(([key]) => key));
    const first = acks.find(
      (a) => a.invokedAt >= e.time && a.e.f === 'send' && (hit.size === 0 || hit.has(a.e.key)),
    );
    return first === undefined ? [] : [{ faultIndex: e.index, kind: e.kind, ms: first.e.time - e.time }];
  });
}

/** Per key, gaps over a second between acknowledgements while its writers kept trying; merged. */
function unavailability(done: readonly Completion[]): Unavailability[] {
  const lastAck = new Map<string, number>();
  const gaps: Unavailability[] = [];
  for (const { e } of done) {
    if (e.f !== 'send' || e.type !== 'ok') continue;
    const prev = lastAck.get(e.key);
    if (prev !== undefined && e.time - prev > 1000) gaps.push({ fromMs: prev, toMs: e.time });
    lastAck.set(e.key, e.time);
  }
  const merged: { fromMs: number; toMs: number }[] = [];
  for (const g of gaps.sort((a, b) => a.fromMs - b.fromMs)) {
    const last = merged.at(-1);
    if (last !== undefined && g.fromMs <= last.toMs) last.toMs = Math.max(last.toMs, g.toMs);
    else merged.push({ ...g });
  }
  return merged;
}

/** What the checker would conclude about the sample history, given the anomalies planted in it. */
export function sampleResult(history: readonly HistoryEvent[], anomalies: readonly Anomaly[]): CheckResult {
  const done = completions(history);
  const count = (type: string): number => done.filter(({ e }) => e.type === type).length;
  const anomalyCounts = Object.fromEntries(
    anomalyNames.map((name) => [name, anomalies.filter((a) => a.name === name).length]),
  ) as Record<(typeof anomalyNames)[number], number>;
  const faults: Partial<Record<FaultKind, number>> = {};
  for (const e of history)
    if (e.f === 'fault' && e.phase === 'start') faults[e.kind] = (faults[e.kind] ?? 0) + 1;
  const fo = failovers(history, done);
  const sendLatencies = done
    .filter(({ e }) => e.f === 'send' && e.type === 'ok')
    .map((c) => c.e.time - c.invokedAt);
  const foMs = percentiles(fo.map((f) => f.ms));
  return {
    valid: anomalies.length === 0,
    operations: { ok: count('ok'), fail: count('fail'), info: count('info') },
    anomalyCounts,
    anomalies,
    faults,
    failovers: fo,
    failoverMs: { p50: foMs.p50, max: foMs.max },
    unavailability: unavailability(done),
    timeline: timeline(done),
    sendLatencyMs: percentiles(sendLatencies),
  };
}
