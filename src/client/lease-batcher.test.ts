import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LeaseBatcher } from './lease-batcher.js';
import type { LeaseOp } from './lease-settler.js';
import type { LeaseRef } from './queue-receipt.js';

const ref = (offset: number): LeaseRef => ({ topic: 't', partition: 0, offset, leaseId: 1n });

describe('LeaseBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function recording() {
    const sent: { op: LeaseOp; offsets: number[] }[] = [];
    const batcher = new LeaseBatcher(
      async (op, refs) => {
        sent.push({ op, offsets: refs.map((r) => r.offset) });
        return refs.map(() => ({ ok: true as const, leaseExpiresAtMs: 0 }));
      },
      { lingerMs: 5, batchMax: 3 },
    );
    return { sent, batcher };
  }

  it('sends what arrives within the linger as one request per kind', async () => {
    const { sent, batcher } = recording();
    const acks = [1, 2].map((o) => batcher.submit({ kind: 'ack' }, ref(o)));
    const nack = batcher.submit({ kind: 'nack', delayMs: 0, error: 'x' }, ref(3));
    expect(sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(5);
    expect(sent.map((s) => [s.op.kind, s.offsets])).toEqual([
      ['ack', [1, 2]],
      ['nack', [3]],
    ]);
    expect(await Promise.all([...acks, nack])).toEqual(Array(3).fill({ ok: true, leaseExpiresAtMs: 0 }));
  });

  it('sends a full batch at once and starts the next', async () => {
    const { sent, batcher } = recording();
    const all = [1, 2, 3, 4].map((o) => batcher.submit({ kind: 'ack' }, ref(o)));
    expect(sent.map((s) => s.offsets)).toEqual([[1, 2, 3]]);
    await batcher.flush();
    expect(sent.map((s) => s.offsets)).toEqual([[1, 2, 3], [4]]);
    await Promise.all(all);
  });

  it('gives every lease the failure of a request that threw', async () => {
    const batcher = new LeaseBatcher(() => Promise.reject(new Error('down')), { lingerMs: 1, batchMax: 10 });
    const outcome = batcher.submit({ kind: 'ack' }, ref(1));
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toMatchObject({ ok: false, error: { message: 'down' } });
  });
});
