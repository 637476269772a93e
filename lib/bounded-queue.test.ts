import { describe, expect, it } from 'vitest';
import { BoundedQueue } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('is FIFO across wrap-around', () => {
    const q = new BoundedQueue<number>(3);
    const out: number[] = [];
    for (let i = 0; i < 10; i++) {
      expect(q.push(i)).toBe(true);
      if (q.length === 2) out.push(q.shift() as number);
    }
    out.push(...q.drain());
    expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('refuses beyond its item capacity without changing', () => {
    const q = new BoundedQueue<string>(2);
    expect(q.push('a')).toBe(true);
    expect(q.push('b')).toBe(true);
    expect(q.push('c')).toBe(false);
    expect(q.drain()).toEqual(['a', 'b']);
  });

  it('refuses beyond its byte capacity and frees bytes on shift', () => {
    const q = new BoundedQueue<Uint8Array>(10, 100, (b) => b.byteLength);
    expect(q.push(new Uint8Array(60))).toBe(true);
    expect(q.push(new Uint8Array(50))).toBe(false);
    expect(q.sizeBytes).toBe(60);
    q.shift();
    expect(q.sizeBytes).toBe(0);
    expect(q.push(new Uint8Array(50))).toBe(true);
  });

  it('admits one oversized item into an empty queue so that nothing deadlocks', () => {
    const q = new BoundedQueue<Uint8Array>(10, 100, (b) => b.byteLength);
    expect(q.push(new Uint8Array(150))).toBe(true);
    expect(q.push(new Uint8Array(1))).toBe(false);
  });
});
