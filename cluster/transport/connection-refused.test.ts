import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { isConnectionRefused, isPeerGone } from './connection-refused.js';

const unavailable = (last: string) =>
  new RaftlogError(
    'UNAVAILABLE',
    `No connection established. Last error: ${last} (2026-12-02T22:05:08.059Z)`,
  );

describe('telling a dead peer from a silent one', () => {
  it('counts a refused dial as gone, whatever it took', () => {
    const refused = unavailable('connect ECONNREFUSED 127.0.0.1:9092');
    expect(isConnectionRefused(refused)).toBe(true);
    expect(isPeerGone(refused, 10_000, 1_000)).toBe(true);
  });

  it('counts a proxy that accepts and then closes or resets, quickly, as gone', () => {
    expect(isPeerGone(unavailable('Failed to connect'), 5, 1_000)).toBe(true);
    expect(isPeerGone(unavailable('read ECONNRESET'), 5, 1_000)).toBe(true);
  });

  it('does not count a slow failure, a timeout or another error as gone: that may be a partition', () => {
    expect(isPeerGone(unavailable('read ECONNRESET'), 2_000, 1_000)).toBe(false);
    expect(isPeerGone(new RaftlogError('TIMEOUT', 'Hello timed out'), 5, 1_000)).toBe(false);
    expect(isPeerGone(new RaftlogError('UNAVAILABLE', 'the stream ended'), 5, 1_000)).toBe(false);
    expect(isPeerGone(new Error('connect ECONNREFUSED'), 5, 1_000)).toBe(false);
  });
});
