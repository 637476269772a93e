import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent, Key, PollOp } from '../history/index.js';
import { check } from './check.js';
import { SimulatedHistory } from './simulated-history.js';

const steps = fc.array(fc.record({ actor: fc.nat(20), choice: fc.nat(1000) }), {
  minLength: 50,
  maxLength: 400,
  size: 'max',
});

/** A read record that a later read by the same reader went past, and whose send was acknowledged. */
interface Passed {
  readonly pollAt: number;
  readonly record: number;
}

function passedRecords(history: readonly HistoryEvent[]): Passed[] {
  const acked = new Set(
    history.flatMap((e) => (e.f === 'send' && e.type === 'ok' ? [`${e.key}\u0000${e.value}`] : [])),
  );
  const lastRead = new Map<number, Map<Key, Passed>>();
  const passed: Passed[] = [];
  for (const [at, e] of history.entries()) {
    if (e.f === 'assign' && e.type === 'invoke') lastRead.delete(e.process);
    if (e.f !== 'poll' || e.type !== 'ok' || e.records === undefined || e.records.length === 0) continue;
    const byKey = lastRead.get(e.process) ?? new Map<Key, Passed>();
    lastRead.set(e.process, byKey);
    const previous = byKey.get(e.key);
    if (previous !== undefined) passed.push(previous);
    for (let record = 0; record < e.records.length - 1; record++) passed.push({ pollAt: at, record });
    byKey.set(e.key, { pollAt: at, record: e.records.length - 1 });
  }
  return passed.filter(({ pollAt, record }) => {
    const poll = history[pollAt] as PollOp;
    return acked.has(`${poll.key}\u0000${poll.records?.[record]?.[1]}`);
  });
}

function withoutRecords(
  history: readonly HistoryEvent[],
  drop: (poll: PollOp, record: number) => boolean,
): HistoryEvent[] {
  return history.map((e) =>
    e.f === 'poll' && e.records !== undefined
      ? { ...e, records: e.records.filter((_, i) => !drop(e, i)) }
      : e,
  );
}

describe('check over histories of a correct log', () => {
  it('finds nothing in a history a correct log produced', () => {
    fc.assert(
      fc.property(steps, (s) => {
        const result = check(new SimulatedHistory().run(s));
        expect(result.anomalies).toEqual([]);
        expect(result.valid).toBe(true);
      }),
    );
  });

  it('finds a skip or a lost write when one read that a later read went past is deleted', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (s, pick) => {
        const history = new SimulatedHistory().run(s);
        const candidates = passedRecords(history);
        const target = candidates[pick % candidates.length];
        if (target === undefined) throw new Error('the drain always reads past something');
        const mutated = withoutRecords(
          history,
          (poll, i) => poll.index === target.pollAt && i === target.record,
        );
        const counts = check(mutated).anomalyCounts;
        expect(counts['lost-write'] + counts['poll-skip'] + counts['int-poll-skip']).toBeGreaterThan(0);
      }),
    );
  });

  it('finds a lost write when every read of a value that was read past is deleted', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (s, pick) => {
        const history = new SimulatedHistory().run(s);
        const candidates = passedRecords(history);
        const target = candidates[pick % candidates.length];
        const poll = history[target?.pollAt ?? -1] as PollOp | undefined;
        const value = poll?.records?.[target?.record ?? -1]?.[1];
        if (poll === undefined || value === undefined)
          throw new Error('the drain always reads past something');
        const mutated = withoutRecords(
          history,
          (p, i) => p.key === poll.key && p.records?.[i]?.[1] === value,
        );
        expect(check(mutated).anomalyCounts['lost-write']).toBe(1);
      }),
    );
  });
});
