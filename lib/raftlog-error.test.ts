import { describe, expect, it } from 'vitest';
import { CorruptionError, RaftlogError } from './raftlog-error.js';
import { isErrorCode, isRetriable } from './error-code.js';

describe('RaftlogError', () => {
  it('carries code, retriable flag, leader hint and cause', () => {
    const cause = new Error('boom');
    const e = new RaftlogError('NOT_LEADER', 'not the leader', { cause, leaderHint: '127.0.0.1:9092' });
    expect(e.code).toBe('NOT_LEADER');
    expect(e.retriable).toBe(true);
    expect(e.leaderHint).toBe('127.0.0.1:9092');
    expect(e.cause).toBe(cause);
    expect(new RaftlogError('INVALID_TOPIC_NAME', 'x').retriable).toBe(false);
  });

  it('wraps foreign errors once', () => {
    const wrapped = RaftlogError.from(new TypeError('bad'));
    expect(wrapped.code).toBe('INTERNAL');
    expect(RaftlogError.from(wrapped)).toBe(wrapped);
    expect(new CorruptionError('crc').code).toBe('CORRUPTION');
  });

  it('knows its closed code set', () => {
    expect(isErrorCode('TIMEOUT')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(isRetriable('UNAVAILABLE')).toBe(true);
    expect(isRetriable('PRODUCER_FENCED')).toBe(false);
  });
});
