import { describe, expect, it } from 'vitest';
import { errorCodes, RaftlogError, type ErrorCode } from '../../lib/index.js';
import { backoffMs, decideRetry } from './retry-policy.js';

// The leader-move ceiling is set out of the way here; its own test below covers it.
const options = { backoffBaseMs: 100, backoffMaxMs: 1_000, leaderBackoffMaxMs: 1_000 };

describe('backoffMs', () => {
  it('doubles per attempt within [d/2, d] and stops growing at the maximum', () => {
    expect(backoffMs(0, options, () => 0)).toBe(50);
    expect(backoffMs(0, options, () => 1)).toBe(100);
    expect(backoffMs(2, options, () => 0)).toBe(200);
    expect(backoffMs(2, options, () => 1)).toBe(400);
    expect(backoffMs(10, options, () => 1)).toBe(1_000);
    expect(backoffMs(1000, options, () => 0)).toBe(500);
  });

  it('stays inside the jitter bounds for random draws', () => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const ceiling = Math.min(1_000, 100 * 2 ** attempt);
      for (let i = 0; i < 200; i++) {
        const d = backoffMs(attempt, options);
        expect(d).toBeGreaterThanOrEqual(ceiling / 2);
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });
});

describe('decideRetry', () => {
  it('retries exactly the codes marked retriable', () => {
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const decision = decideRetry(new RaftlogError(code, 'x'), 1, 0, 60_000, options, () => 0.5);
      expect(decision.retry).toBe(errorCodes[code].retriable);
    }
  });

  it('never retries errors that are not RaftlogErrors', () => {
    expect(decideRetry(new Error('boom'), 0, 0, 60_000, options).retry).toBe(false);
  });

  it('goes straight to a hinted leader once, then backs off', () => {
    const moved = new RaftlogError('NOT_LEADER', 'moved', { leaderHint: '10.0.0.2:9091' });
    expect(decideRetry(moved, 0, 0, 60_000, options)).toEqual({ retry: true, delayMs: 0 });
    const again = decideRetry(moved, 1, 0, 60_000, options, () => 0);
    expect(again).toEqual({ retry: true, delayMs: 100 });
  });

  it('gives up when the wait would reach the deadline', () => {
    const busy = new RaftlogError('UNAVAILABLE', 'down');
    expect(decideRetry(busy, 0, 1_000, 1_100, options, () => 1).retry).toBe(false);
    expect(decideRetry(busy, 0, 1_000, 1_101, options, () => 1)).toEqual({ retry: true, delayMs: 100 });
  });
});

describe('decideRetry while the leader moves', () => {
  it('caps the backoff at leaderBackoffMaxMs for errors that say the leader moved', () => {
    const slow = { backoffBaseMs: 100, backoffMaxMs: 5_000, leaderBackoffMaxMs: 200 };
    const moved = new RaftlogError('LEADER_NOT_AVAILABLE', 'election in progress');
    const other = new RaftlogError('RESOURCE_EXHAUSTED', 'busy');
    expect(decideRetry(moved, 8, 0, 60_000, slow, () => 1)).toEqual({ retry: true, delayMs: 200 });
    expect(decideRetry(other, 8, 0, 60_000, slow, () => 1)).toEqual({ retry: true, delayMs: 5_000 });
  });
});
