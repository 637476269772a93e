import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../../lib/index.js';
import { EntryRing } from './entry-ring.js';

const capacityBytes = 1000;

type Op = { kind: 'place'; bytes: number } | { kind: 'oldest' } | { kind: 'newest' };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.integer({ min: 1, max: 400 }).map((bytes) => ({ kind: 'place', bytes }) as const),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'oldest' } as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'newest' } as const) },
);

interface Held {
  readonly view: Uint8Array;
  readonly fill: number;
}

function overlaps(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Free bytes before the oldest (wrapped or not) and after the newest: what a placement could use. */
function largestGap(held: readonly Held[]): number {
  if (held.length === 0) return capacityBytes;
  const oldest = (held[0] as Held).view;
  const newest = (held[held.length - 1] as Held).view;
  const newestEnd = newest.byteOffset + newest.byteLength;
  if (newest.byteOffset < oldest.byteOffset) return oldest.byteOffset - newestEnd;
  return Math.max(capacityBytes - newestEnd, oldest.byteOffset);
}

describe('EntryRing', () => {
  it('never places an entry over one it holds, keeps every held byte, and finds room the FIFO leaves', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const ring = new EntryRing(capacityBytes);
        const held: Held[] = [];
        let fills = 0;
        for (const o of ops) {
          if (o.kind === 'place') {
            const fill = fills++ & 0xff;
            const view = ring.place(new Uint8Array(o.bytes).fill(fill));
            if (view === undefined) {
              expect(largestGap(held)).toBeLessThan(o.bytes);
            } else {
              expect(ring.holds(view)).toBe(true);
              for (const h of held) expect(overlaps(h.view, view)).toBe(false);
              held.push({ view, fill });
            }
          } else {
            const h = o.kind === 'oldest' ? held.shift() : held.pop();
            if (h === undefined) continue;
            if (o.kind === 'oldest') ring.releaseOldest(h.view);
            else ring.releaseNewest(h.view);
          }
          expect(ring.size).toBe(held.length);
          for (const h of held) expect(h.view.every((b) => b === h.fill)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('takes a whole-capacity entry once empty and nothing larger', () => {
    const ring = new EntryRing(capacityBytes);
    const a = ring.place(new Uint8Array(600));
    expect(a).toBeDefined();
    expect(ring.place(new Uint8Array(600))).toBeUndefined();
    ring.releaseOldest(a as Uint8Array);
    expect(ring.place(new Uint8Array(capacityBytes))).toBeDefined();
    expect(new EntryRing(capacityBytes).place(new Uint8Array(capacityBytes + 1))).toBeUndefined();
  });

  it('wraps to the start once the oldest left it', () => {
    const ring = new EntryRing(capacityBytes);
    const a = ring.place(new Uint8Array(400).fill(1)) as Uint8Array;
    const b = ring.place(new Uint8Array(400).fill(2)) as Uint8Array;
    expect(ring.place(new Uint8Array(300))).toBeUndefined();
    ring.releaseOldest(a);
    const c = ring.place(new Uint8Array(300).fill(3)) as Uint8Array;
    expect(c.byteOffset).toBe(0);
    // Wrapped: only the gap between the newest (c) and the oldest (b) is free.
    expect(ring.place(new Uint8Array(101))).toBeUndefined();
    expect(ring.place(new Uint8Array(100).fill(4))?.byteOffset).toBe(300);
    expect(b.every((x) => x === 2)).toBe(true);
  });

  it('circles in as little of its memory as the entries held need', () => {
    const ring = new EntryRing(capacityBytes);
    const held: Uint8Array[] = [];
    let touchedEnd = 0;
    for (let i = 0; i < 1000; i++) {
      const view = ring.place(new Uint8Array(100).fill(i & 0xff)) as Uint8Array;
      touchedEnd = Math.max(touchedEnd, view.byteOffset + view.byteLength);
      held.push(view);
      if (held.length > 2) ring.releaseOldest(held.shift() as Uint8Array);
    }
    expect(touchedEnd).toBe(300);
  });

  it('refuses to release an entry out of order or one it does not hold', () => {
    const ring = new EntryRing(capacityBytes);
    const a = ring.place(new Uint8Array(10)) as Uint8Array;
    const b = ring.place(new Uint8Array(10)) as Uint8Array;
    expect(() => ring.releaseOldest(b)).toThrow(AssertionError);
    expect(() => ring.releaseNewest(a)).toThrow(AssertionError);
    expect(() => ring.releaseOldest(new Uint8Array(10))).toThrow(AssertionError);
    ring.releaseNewest(b);
    ring.releaseOldest(a);
    expect(() => ring.releaseOldest(a)).toThrow(AssertionError);
  });
});
