import { describe, expect, it } from 'vitest';
import { decodeReceipt, encodeReceipt } from './queue-receipt.js';

describe('queue receipts', () => {
  it('round-trips, the largest lease id included', () => {
    const ref = { topic: 'orders.v1_x-y', partition: 7, offset: 123456789, leaseId: 2n ** 64n - 1n };
    expect(encodeReceipt(ref)).toBe('orders.v1_x-y:7:123456789:18446744073709551615');
    expect(decodeReceipt(encodeReceipt(ref))).toEqual(ref);
  });

  it.each(['', 'q', 'q:0:1', ':0:1:2', 'q:-1:1:2', 'q:0:1.5:2', 'q:0:1:18446744073709551616', 'q:01:1:2'])(
    'refuses %j',
    (receipt) => expect(() => decodeReceipt(receipt)).toThrow(/receipt/),
  );
});
