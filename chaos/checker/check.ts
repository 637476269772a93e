import type { HistoryEvent } from '../history/index.js';
import { resolveCheckOptions, type CheckOptions, type ResolvedCheckOptions } from './check-options.js';
import { HistoryScan } from './history-scan.js';
import { judgeValues } from './judge-values.js';
import { KnownOffsets } from './known-offsets.js';
import { rank } from './percentiles.js';
import type { CheckResult, Failover } from './types.js';

/**
 * Checks a chaos run's history: anomalies in what was acknowledged and read, failover times,
 * unavailability and throughput over time. Pure: the history is all it looks at. Throws
 * MalformedHistoryError when the history breaks its own format.
 */
export function check(history: readonly HistoryEvent[], options: CheckOptions = {}): CheckResult {
  const resolved = resolveCheckOptions(options);
  const scan = new HistoryScan(history, resolved);
  scan.run();
  const known = new Map([...scan.keys].map(([key, facts]) => [key, new KnownOffsets(facts)]));
  scan.polls.resolve((key) => known.get(key));
  for (const offsets of known.values()) judgeValues(offsets, scan.log);
  const queue = scan.queue.seen ? scan.queue.finish() : undefined;
  const { anomalyCounts, anomalies } = scan.log.result();
  const sendLatencyMs = scan.timeline.sendLatency();
  const result: CheckResult = {
    valid: Object.values(anomalyCounts).every((n) => n === 0),
    operations: { ...scan.operations },
    anomalyCounts,
    anomalies,
    faults: { ...scan.faults },
    failovers: scan.failovers.failovers,
    failoverMs: failoverSummary(scan.failovers.failovers, resolved),
    unavailability: scan.availability.windows,
    timeline: scan.timeline.samples(),
  };
  return {
    ...result,
    ...(sendLatencyMs === undefined ? {} : { sendLatencyMs }),
    ...(queue === undefined ? {} : { queue }),
  };
}

function failoverSummary(
  failovers: readonly Failover[],
  options: ResolvedCheckOptions,
): CheckResult['failoverMs'] {
  const ms = failovers.filter((f) => options.failoverKinds.has(f.kind)).map((f) => f.ms);
  const sorted = Float64Array.from(ms).sort();
  return sorted.length === 0 ? { p50: 0, max: 0 } : { p50: rank(sorted, 0.5), max: rank(sorted, 1) };
}
