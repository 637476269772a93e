import { describe, expect, it } from 'vitest';
import { OffsetTracker, offsetsAfter } from './offset-tracker.js';

const p0 = { topic: 't', partition: 0 };
const p1 = { topic: 't', partition: 1 };

describe('OffsetTracker', () => {
  it('offers the position after the last processed record, once, until more is processed', () => {
    const t = new OffsetTracker();
    t.track(p0, 10);
    t.track(p1, -1);
    expect(t.uncommitted()).toEqual([]);
    t.processed(p0, 10);
    t.processed(p0, 11);
    t.processed(p1, 0);
    expect(t.uncommitted()).toEqual([
      { topic: 't', partition: 0, offset: 12 },
      { topic: 't', partition: 1, offset: 1 },
    ]);
    t.committed(t.uncommitted());
    expect(t.uncommitted()).toEqual([]);
    t.processed(p1, 1);
    expect(t.uncommitted()).toEqual([{ topic: 't', partition: 1, offset: 2 }]);
  });

  it('never moves a position back and ignores partitions it does not track', () => {
    const t = new OffsetTracker();
    t.track(p0, -1);
    t.processed(p0, 5);
    t.processed(p0, 3);
    t.processed(p1, 9);
    expect(t.uncommitted()).toEqual([{ topic: 't', partition: 0, offset: 6 }]);
    t.committed([{ topic: 't', partition: 1, offset: 4 }]);
    expect(t.has(p1)).toBe(false);
  });

  it('limits uncommitted to the partitions asked for (a revocation commits only those)', () => {
    const t = new OffsetTracker();
    t.track(p0, -1);
    t.track(p1, -1);
    t.processed(p0, 0);
    t.processed(p1, 0);
    expect(t.uncommitted([p1])).toEqual([{ topic: 't', partition: 1, offset: 1 }]);
    t.untrack(p1);
    expect(t.uncommitted()).toEqual([{ topic: 't', partition: 0, offset: 1 }]);
  });

  it('refuses explicit offsets of partitions not consumed or not valid', () => {
    const t = new OffsetTracker();
    t.track(p0, -1);
    expect(() => t.validate([{ ...p1, offset: 1 }])).toThrow(/not consumed/);
    expect(() => t.validate([{ ...p0, offset: -2 }])).toThrow(/not valid/);
    expect(() => t.validate([{ ...p0, offset: 3 }])).not.toThrow();
  });
});

describe('offsetsAfter', () => {
  it('gives per partition the offset after the highest record', () => {
    const r = (partition: number, offset: number) => ({ topic: 't', partition, offset });
    expect(offsetsAfter([r(0, 4), r(1, 9), r(0, 7), r(0, 5)])).toEqual([
      { topic: 't', partition: 0, offset: 8 },
      { topic: 't', partition: 1, offset: 10 },
    ]);
    expect(offsetsAfter([])).toEqual([]);
  });
});
