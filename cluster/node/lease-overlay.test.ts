import { describe, expect, it } from 'vitest';
import type { QueueLeaseCommand } from '../partition/index.js';
import { LeaseOverlays } from './lease-overlay.js';

const command = (
  fromCursor: number,
  scanTo: number,
  grants: number[],
  waiting: number[] = [],
): QueueLeaseCommand => ({
  type: 'queue-lease',
  queue: 'q',
  fromCursor,
  scanTo,
  leaseMs: 1000,
  grants: grants.map((offset) => ({ offset, appendTimeMs: 0, key: null, deadLetter: false })),
  waiting: waiting.map((offset) => ({ offset, appendTimeMs: 0, key: null, visibleAtMs: 0 })),
  drops: [],
});

describe('lease overlays', () => {
  it('carry the scan and the taken redeliveries of in-flight commands until they apply', () => {
    const overlays = new LeaseOverlays();
    const a = command(10, 20, [3, 10, 11], [12]);
    overlays.add('g/q', 4, a);
    const b = command(20, 25, [20]);
    overlays.add('g/q', 4, b);
    const o = overlays.current('g/q', 4)!;
    expect([o.cursor, [...o.reserved], o.added, o.inFlight]).toEqual([25, [3], 4, 2]);
    overlays.applied('g/q', 4, a);
    expect([o.cursor, [...o.reserved], o.added, o.inFlight]).toEqual([25, [], 1, 1]);
    overlays.applied('g/q', 4, b);
    expect(overlays.current('g/q', 4)).toBeUndefined();
  });

  it('are dropped when the term moved on or a command failed', () => {
    const overlays = new LeaseOverlays();
    overlays.add('g/q', 4, command(0, 5, [0]));
    expect(overlays.current('g/q', 5)).toBeUndefined();
    expect(overlays.current('g/q', 4)).toBeUndefined();
    overlays.add('g/q', 5, command(0, 5, [0]));
    overlays.reset('g/q');
    expect(overlays.current('g/q', 5)).toBeUndefined();
  });
});
