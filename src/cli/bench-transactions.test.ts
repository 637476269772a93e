import { describe, expect, it } from 'vitest';
import type { ProducerRecord, TransactionScope } from '../client/index.js';
import { noProgress } from './bench-runner.js';
import { benchProduceTransactions } from './bench-transactions.js';

describe('benchProduceTransactions', () => {
  it('sends the records in transactions of the given size, one after another', async () => {
    const transactions: number[] = [];
    let open = 0;
    const producer = {
      async transaction<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
        expect(open).toBe(0);
        open++;
        let sent = 0;
        const result = await fn({
          send: async (r: ProducerRecord) => {
            expect(r.topic).toBe('t');
            return { partition: 0, offset: sent++ };
          },
          sendOffsets: async () => undefined,
        });
        transactions.push(sent);
        open--;
        return result;
      },
    };
    const r = await benchProduceTransactions(
      producer,
      { topic: 't', count: 250, recordBytes: 10, transactionRecords: 100 },
      noProgress,
    );
    expect(transactions).toEqual([100, 100, 50]);
    expect(r).toMatchObject({ count: 250, errors: 0 });
  });

  it('counts the records of a failed transaction as errors', async () => {
    let n = 0;
    const producer = {
      async transaction<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T> {
        if (n++ === 1) throw new Error('aborted');
        return fn({ send: async () => ({ partition: 0, offset: 0 }), sendOffsets: async () => undefined });
      },
    };
    const r = await benchProduceTransactions(
      producer,
      { topic: 't', count: 30, recordBytes: 1, transactionRecords: 10 },
      noProgress,
    );
    expect(r).toMatchObject({ count: 20, errors: 10 });
  });
});
