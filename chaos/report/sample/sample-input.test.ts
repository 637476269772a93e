import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../history/types.js';
import { renderReport } from '../index.js';
import { sampleReportInput } from './index.js';

describe('sampleReportInput', () => {
  const input = sampleReportInput();
  const { history, result } = input;

  it('is a well-formed history: dense indices, time order, one completion per invoke', () => {
    const open = new Map<number, HistoryEvent>();
    history.forEach((e, i) => {
      expect(e.index).toBe(i);
      if (i > 0) expect(e.time).toBeGreaterThanOrEqual(history[i - 1]?.time ?? 0);
      if (e.process < 0) return;
      const invoke = open.get(e.process);
      if (e.type === 'invoke') {
        expect(invoke).toBeUndefined();
        open.set(e.process, e);
      } else {
        expect(invoke?.f).toBe(e.f);
        open.delete(e.process);
      }
    });
    expect(open.size).toBe(0);
  });

  it('is the same for the same seed', () => {
    expect(sampleReportInput().history).toEqual(history);
  });

  it('plants lost writes that no poll reads, and counts what it holds', () => {
    const read = new Set(
      history.flatMap((e) => (e.f === 'poll' && e.records ? e.records.map((r) => r[1]) : [])),
    );
    const lost = result.anomalies.filter((a) => a.name === 'lost-write');
    expect(lost.length).toBe(2);
    for (const a of lost) {
      const ok = a.ops.map((i) => history[i]).find((e) => e?.f === 'send' && e.type === 'ok');
      expect(ok?.f === 'send' && read.has(ok.value)).toBe(false);
    }
    const completions = history.filter((e) => e.process >= 0 && e.type !== 'invoke');
    expect(result.operations.ok + result.operations.fail + result.operations.info).toBe(completions.length);
    expect(result.valid).toBe(false);
    expect(result.failovers.length).toBe(
      history.filter((e) => e.f === 'fault' && e.phase === 'start').length,
    );
  });

  it('renders to a page of modest size', () => {
    expect(renderReport(input).length).toBeLessThan(200_000);
  });
});
