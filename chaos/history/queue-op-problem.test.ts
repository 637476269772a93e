import { describe, expect, it } from 'vitest';
import { parseHistoryEvent } from './parse-history-event.js';

const base = { index: 0, time: 1, process: 3 };
const lease = { offset: 4, value: 'm4', leaseId: '18446744073709551615' };

describe('queue operations in a history line', () => {
  it('accepts enqueue, lease, ack and nack as the workload writes them', () => {
    const lines = [
      { ...base, type: 'ok', f: 'enqueue', key: 'q/0', value: 'm4', offset: 4 },
      {
        ...base,
        type: 'ok',
        f: 'lease',
        key: 'q/0',
        visibilityMs: 2000,
        leases: [{ ...lease, deliveryCount: 1, expiresAtMs: 1_800_000_000_000 }],
      },
      { ...base, type: 'ok', f: 'ack', key: 'q/0', leases: [lease], outcomes: ['LEASE_EXPIRED'] },
      { ...base, type: 'invoke', f: 'nack', key: 'q/0', leases: [lease], delayMs: 100 },
    ];
    for (const line of lines) expect(parseHistoryEvent(line, 1)).toEqual(line);
  });

  it('names what is wrong', () => {
    const bad: [object, RegExp][] = [
      [{ ...base, type: 'ok', f: 'enqueue', key: 'q/0', value: 4 }, /string value/],
      [{ ...base, type: 'invoke', f: 'lease', key: 'q/0' }, /visibilityMs/],
      [{ ...base, type: 'ok', f: 'lease', key: 'q/0', visibilityMs: 1, leases: [lease] }, /deliveryCount/],
      [{ ...base, type: 'ok', f: 'ack', key: 'q/0', leases: [lease], outcomes: [] }, /one string per lease/],
      [{ ...base, type: 'invoke', f: 'nack', key: 'q/0', leases: [lease] }, /delayMs/],
      [{ ...base, type: 'invoke', f: 'ack', key: 'q/0', leases: [{ offset: 1 }] }, /offset, value, leaseId/],
    ];
    for (const [line, problem] of bad) expect(() => parseHistoryEvent(line, 7)).toThrow(problem);
  });
});
