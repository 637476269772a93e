import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { TransactionState } from './transaction-state.js';

function ready(): TransactionState {
  const s = new TransactionState('tx-1');
  s.initialized();
  return s;
}

describe('TransactionState', () => {
  it('asks for initTransactions, then beginTransaction, before anything is sent', () => {
    const s = new TransactionState('tx-1');
    expect(() => s.check('send')).toThrow(/initTransactions/);
    s.initialized();
    expect(() => s.check('send')).toThrow(/beginTransaction/);
    s.enter('begin', 'in-transaction');
    expect(() => s.check('send')).not.toThrow();
    expect(() => s.check('begin')).toThrow(expect.objectContaining({ code: 'INVALID_TXN_STATE' }));
  });

  it('tracks registered partitions and groups per transaction', () => {
    const s = ready();
    s.enter('begin', 'in-transaction');
    expect(s.hasRegistered()).toBe(false);
    expect(s.addPartition('t/0')).toBe(true);
    expect(s.addPartition('t/0')).toBe(false);
    expect(s.addGroup('g')).toBe(true);
    expect(s.addGroup('g')).toBe(false);
    expect(s.hasRegistered()).toBe(true);
    s.enter('commit', 'committing');
    s.ended();
    expect(s.phase).toBe('ready');
    expect(s.hasRegistered()).toBe(false);
    expect(s.addPartition('t/0')).toBe(true);
  });

  it('after a failure allows only abort, naming the cause, and asks for a new epoch', () => {
    const s = ready();
    s.enter('begin', 'in-transaction');
    s.failed(new RaftlogError('MESSAGE_TOO_LARGE', 'batch of 2 MiB'), { sequenceBroken: true });
    expect(s.phase).toBe('abortable');
    expect(() => s.check('commit')).toThrow(/MESSAGE_TOO_LARGE: batch of 2 MiB\); abort it/);
    expect(() => s.check('send')).toThrow(/abort it/);
    s.enter('abort', 'aborting');
    expect(s.needsReinit()).toBe(true);
    s.ended();
    s.initialized();
    expect(s.needsReinit()).toBe(false);
    expect(() => s.check('begin')).not.toThrow();
  });

  it('an abort that fails can be tried again', () => {
    const s = ready();
    s.enter('begin', 'in-transaction');
    s.enter('abort', 'aborting');
    s.failed(new RaftlogError('TIMEOUT', 'coordinator slow'));
    expect(s.phase).toBe('abortable');
    expect(() => s.check('abort')).not.toThrow();
  });

  it('is fenced for good after PRODUCER_FENCED', () => {
    const s = ready();
    s.enter('begin', 'in-transaction');
    s.failed(new RaftlogError('PRODUCER_FENCED', 'epoch 3 < 4'));
    expect(s.phase).toBe('fenced');
    for (const op of ['init', 'begin', 'send', 'sendOffsets', 'commit', 'abort'] as const) {
      expect(() => s.check(op)).toThrow(
        expect.objectContaining({
          code: 'PRODUCER_FENCED',
          message: expect.stringMatching(/tx-1.*epoch 3 < 4.*new producer/) as unknown,
        }),
      );
    }
    s.ended();
    expect(s.phase).toBe('fenced');
  });
});
