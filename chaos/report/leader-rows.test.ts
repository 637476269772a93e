import { describe, expect, it } from 'vitest';
import { CraftedHistory } from './crafted-history.js';
import { leaderRows } from './leader-rows.js';

describe('leaderRows', () => {
  it('turns observations into segments per key, merging repeats, with a change at each new leader', () => {
    const h = new CraftedHistory();
    h.leader(300, 't/10', 3);
    h.leader(300, 't/2', 1);
    h.leader(1000, 't/2', 1);
    h.leader(5000, 't/2', 0);
    h.leader(5600, 't/2', 2);
    const { rows, omitted } = leaderRows(h.events, 10_000, {
      maxKeys: 10,
      maxSegments: 100,
      totalSegments: 1000,
    });
    expect(omitted).toBe(0);
    expect(rows.map((r) => r.key)).toEqual(['t/2', 't/10']);
    expect(rows[0]?.segments).toEqual([
      { fromMs: 300, toMs: 5000, leader: 1 },
      { fromMs: 5000, toMs: 5600, leader: 0 },
      { fromMs: 5600, toMs: 10_000, leader: 2 },
    ]);
    expect(rows[0]?.changes).toEqual([5000, 5600]);
    expect(rows[1]?.segments).toEqual([{ fromMs: 300, toMs: 10_000, leader: 3 }]);
    expect(rows[1]?.changes).toEqual([]);
  });

  it('has no rows without observations', () => {
    const h = new CraftedHistory();
    h.phase(0, 'faults');
    expect(leaderRows(h.events, 1000, { maxKeys: 10, maxSegments: 10, totalSegments: 10 })).toEqual({
      rows: [],
      omitted: 0,
    });
  });

  it('resamples a flapping key into at most the allowed segments, keeping the dominant leader', () => {
    const h = new CraftedHistory();
    // Node 1 leads for 90 ms of every 100, node 2 for the other 10, for 100 s.
    for (let t = 0; t < 100_000; t += 100) {
      h.leader(t, 'k', 1);
      h.leader(t + 90, 'k', 2);
    }
    h.leader(100_000, 'k', 3);
    const [row] = leaderRows(h.events, 200_000, { maxKeys: 10, maxSegments: 50, totalSegments: 1000 }).rows;
    expect(row?.segments.length).toBeLessThanOrEqual(50);
    expect(row?.changes.length).toBeLessThanOrEqual(50);
    expect(row?.segments[0]?.leader).toBe(1);
    expect(row?.segments.at(-1)).toMatchObject({ leader: 3, toMs: 200_000 });
    // The segments still tile the row without gaps.
    for (let i = 1; i < (row?.segments.length ?? 0); i++) {
      expect(row?.segments[i]?.fromMs).toBeCloseTo(row?.segments[i - 1]?.toMs ?? -1);
    }
  });

  it('draws the first keys only, sharing the segment budget among them', () => {
    const h = new CraftedHistory();
    for (let t = 0; t < 10_000; t += 10) {
      for (let k = 0; k < 6; k++) h.leader(t, `t/${k}`, ((t / 10 + k) % 3) + 1);
    }
    const { rows, omitted } = leaderRows(h.events, 10_000, {
      maxKeys: 4,
      maxSegments: 100,
      totalSegments: 200,
    });
    expect(rows.map((r) => r.key)).toEqual(['t/0', 't/1', 't/2', 't/3']);
    expect(omitted).toBe(2);
    for (const row of rows) expect(row.segments.length).toBeLessThanOrEqual(50);
  });
});
