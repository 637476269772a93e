import { describe, expect, it } from 'vitest';
import { resolveGroupOptions } from './group-options.js';

describe('resolveGroupOptions', () => {
  it('fills in defaults: heartbeat at a third of the session, manual commits, earliest', () => {
    const o = resolveGroupOptions({ groupId: 'g', topics: ['a', 'a', 'b'], sessionTimeoutMs: 3_000 });
    expect(o).toMatchObject({
      groupId: 'g',
      topics: ['a', 'b'],
      sessionTimeoutMs: 3_000,
      heartbeatIntervalMs: 1_000,
      rebalanceTimeoutMs: 60_000,
      releaseWaitMs: 58_000,
      autoCommit: false,
      autoCommitIntervalMs: 5_000,
      autoOffsetReset: 'earliest',
      groupInstanceId: '',
    });
  });

  it('reports every bad setting at once', () => {
    expect(() =>
      resolveGroupOptions({
        groupId: '',
        topics: [],
        sessionTimeoutMs: 10,
        autoCommitIntervalMs: 1.5,
        autoOffsetReset: 'middle' as 'earliest',
      }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(
          /groupId.*topics.*sessionTimeoutMs.*autoCommitIntervalMs.*autoOffsetReset/,
        ) as unknown,
      }),
    );
  });

  it('bounds names', () => {
    expect(() => resolveGroupOptions({ groupId: 'g'.repeat(256), topics: ['t'] })).toThrow(/groupId/);
    expect(() => resolveGroupOptions({ groupId: 'g', topics: ['t'], groupInstanceId: '' })).toThrow(
      /groupInstanceId/,
    );
  });

  it('waits for a revocation less than the rebalance timeout after which the coordinator expires the member', () => {
    const wait = (sessionTimeoutMs: number, rebalanceTimeoutMs: number) =>
      resolveGroupOptions({ groupId: 'g', topics: ['t'], sessionTimeoutMs, rebalanceTimeoutMs })
        .releaseWaitMs;
    expect(wait(3_000, 0)).toBe(1_000);
    expect(wait(30_000, 5_000)).toBe(0);
  });
});
