import { describe, expect, it } from 'vitest';
import { CraftedHistory } from './crafted-history.js';
import { faultRows } from './fault-rows.js';
import { faultSpans } from './fault-spans.js';

describe('faultSpans', () => {
  it('pairs each end with the earliest open start of the same kind on the same nodes', () => {
    const h = new CraftedHistory();
    h.fault(1000, 'start', 'kill', [1], 'kill 1');
    h.fault(1500, 'start', 'kill', [2], 'kill 2');
    h.fault(2000, 'start', 'partition', [1]);
    h.fault(3000, 'end', 'kill', [2]);
    h.fault(4000, 'end', 'kill', [1]);
    h.fault(5000, 'end', 'partition', [1]);
    const spans = faultSpans(h.events, 10_000);
    expect(spans.map((s) => [s.description, s.startMs, s.endMs, s.healed, s.index])).toEqual([
      ['kill 1', 1000, 4000, true, 0],
      ['kill 2', 1500, 3000, true, 1],
      ['partition', 2000, 5000, true, 2],
    ]);
  });

  it('runs a fault never healed to the end of the run, and ignores an end without a start', () => {
    const h = new CraftedHistory();
    h.fault(500, 'end', 'pause', [3]);
    h.fault(1000, 'start', 'clock-skew', [2]);
    const spans = faultSpans(h.events, 9000);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ kind: 'clock-skew', startMs: 1000, endMs: 9000, healed: false });
  });

  it('matches nodes whatever their order', () => {
    const h = new CraftedHistory();
    h.fault(1000, 'start', 'partition', [2, 1]);
    h.fault(2000, 'end', 'partition', [1, 2]);
    expect(faultSpans(h.events, 5000)[0]?.healed).toBe(true);
  });
});

describe('faultRows', () => {
  const spansOf = (h: CraftedHistory): ReturnType<typeof faultSpans> => faultSpans(h.events, 60_000);

  it('has a row per node even without faults, and a cluster row for faults on all or no nodes', () => {
    const h = new CraftedHistory();
    h.fault(1000, 'start', 'latency', [1, 2, 3]);
    h.fault(2000, 'start', 'transfer-storm', []);
    h.fault(3000, 'start', 'partition', [1, 2]);
    const rows = faultRows(spansOf(h), [1, 2, 3], 3, 10);
    expect(rows.map((r) => [r.label, r.spans.length])).toEqual([
      ['node 1', 1],
      ['node 2', 1],
      ['node 3', 0],
      ['cluster', 2],
    ]);
  });

  it('leaves the cluster row out when nothing was cluster-wide', () => {
    const h = new CraftedHistory();
    h.fault(1000, 'start', 'kill', [2]);
    expect(faultRows(spansOf(h), [1, 2, 3], 3, 10).map((r) => r.label)).toEqual([
      'node 1',
      'node 2',
      'node 3',
    ]);
  });

  it('stacks overlapping faults of a node in tracks', () => {
    const h = new CraftedHistory();
    h.fault(1000, 'start', 'partition', [1]);
    h.fault(2000, 'start', 'pause', [1]);
    h.fault(3000, 'end', 'partition', [1]);
    h.fault(3500, 'start', 'kill', [1]);
    const [row] = faultRows(spansOf(h), [1], 3, 10);
    expect(row?.tracks).toBe(2);
    expect(row?.spans.map((s) => [s.kind, s.track])).toEqual([
      ['partition', 0],
      ['pause', 1],
      ['kill', 0],
    ]);
  });

  it('merges faults of one kind less than a pixel apart, counting them', () => {
    const h = new CraftedHistory();
    for (let t = 0; t < 10_000; t += 100) {
      h.fault(t, 'start', 'kill', [1]);
      h.fault(t + 60, 'end', 'kill', [1]);
    }
    h.fault(20_000, 'start', 'kill', [1]);
    h.fault(21_000, 'end', 'kill', [1]);
    const [row] = faultRows(spansOf(h), [1], 3, 50);
    expect(row?.spans.map((s) => [s.startMs, s.endMs, s.count])).toEqual([
      [0, 9960, 100],
      [20_000, 21_000, 1],
    ]);
  });
});
