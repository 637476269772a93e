import { Prng } from '../../../lib/index.js';
import type { Anomaly } from '../../checker/types.js';
import type { HistoryEvent } from '../../history/types.js';
import type { ReportInput } from '../index.js';
import { indexDrafts, type Draft } from './draft.js';
import { readerDrafts, type Poll } from './sample-readers.js';
import { SampleLeaders } from './sample-leaders.js';
import { sampleResult } from './sample-result.js';
import { faultDrafts, leaderDrafts } from './sample-schedule.js';
import { assignOffsets, sendAttempts, sendDrafts, type Acked, type Attempt } from './sample-workload.js';

const faultsUntil = 60_000;
const drainUntil = 66_000;
const killAt = 12_000;

/**
 * The two values node 1 acknowledged last on chaos/0 before it was killed: the run this sample
 * imitates used a build that acknowledged before a quorum had fsynced.
 */
function lostValues(attempts: readonly Attempt[]): Set<string> {
  const before = attempts
    .filter((a) => a.key === 'chaos/0' && a.type === 'ok' && a.doneAt < killAt)
    .sort((a, b) => a.doneAt - b.doneAt);
  return new Set(before.slice(-2).map((a) => a.value));
}

function phaseDrafts(): Draft[] {
  const phases = [
    [0, 'faults'],
    [faultsUntil, 'heal'],
    [faultsUntil + 1000, 'drain'],
    [drainUntil, 'done'],
  ] as const;
  return phases.map(([time, phase]) => ({ time, process: -3, type: 'info', f: 'phase', phase }));
}

interface Planted {
  readonly lost: readonly Acked[];
  readonly sends: ReadonlyMap<string, [Draft, Draft]>;
  readonly polls: readonly Poll[];
}

/** The anomalies a checker reports for the lost values, pointing at the operations that show them. */
function anomalies(planted: Planted, indexOf: ReadonlyMap<Draft, number>): Anomaly[] {
  const idx = (d: Draft | undefined): number[] => (d === undefined ? [] : [indexOf.get(d) ?? -1]);
  return planted.lost.flatMap((a): Anomaly[] => {
    const [invoke, ok] = planted.sends.get(a.value) ?? [];
    const reading = planted.polls.find((p) => p.key === a.key && p.records.some(([o]) => o === a.offset));
    const readValue = reading?.records.find(([o]) => o === a.offset)?.[1] ?? '?';
    const lastRead = planted.polls
      .filter((p) => p.key === a.key)
      .reduce((n, p) => Math.max(n, p.records.at(-1)?.[0] ?? 0), 0);
    const ops = [...idx(invoke), ...idx(ok), ...idx(reading?.done)];
    return [
      {
        name: 'lost-write',
        key: a.key,
        message: `value ${a.value} acknowledged at offset ${a.offset} was never read; offsets up to ${lastRead} were`,
        ops,
      },
      {
        name: 'inconsistent-offsets',
        key: a.key,
        message: `offset ${a.offset} acknowledged with ${a.value} but read as ${readValue}`,
        ops,
      },
    ];
  });
}

/** A realistic report input: a 60 s, 3-node run of every fault kind against a broker that loses two writes. */
export function sampleReportInput(seed = 7): ReportInput {
  const prng = new Prng(seed);
  const leaderEvents = leaderDrafts(prng);
  const leaders = new SampleLeaders(leaderEvents);
  const attempts = sendAttempts(prng, leaders, faultsUntil);
  const lost = lostValues(attempts);
  const acked = assignOffsets(attempts, lost);
  const readLog = acked.filter((a) => !lost.has(a.value));
  const sends = sendDrafts(attempts, acked);
  const readers = readerDrafts(prng, leaders, readLog, drainUntil);
  const drafts = [
    ...phaseDrafts(),
    ...faultDrafts(),
    ...leaderEvents,
    ...[...sends.values()].flat(),
    ...readers.drafts,
  ];
  const { history, indexOf } = indexDrafts(drafts);
  const planted = { lost: acked.filter((a) => lost.has(a.value)), sends, polls: readers.polls };
  return report(seed, history, anomalies(planted, indexOf));
}

function report(seed: number, history: readonly HistoryEvent[], found: readonly Anomaly[]): ReportInput {
  return {
    scenario: 'all',
    seed,
    nodes: 3,
    durationS: faultsUntil / 1000,
    startedAt: '2026-12-02T18:00:00.000Z',
    history,
    result: sampleResult(history, found),
    command: `npm run chaos -- --scenario all --nodes 3 --duration 60 --seed ${seed} --out chaos-report`,
  };
}
