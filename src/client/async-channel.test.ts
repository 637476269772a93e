import { describe, expect, it } from 'vitest';
import { AsyncChannel } from './async-channel.js';

describe('AsyncChannel', () => {
  it('holds writers back once the byte bound is reached', async () => {
    const ch = new AsyncChannel<number>(10);
    await ch.push(1, 8);
    let second = false;
    const pending = ch.push(2, 8).then(() => (second = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    expect(await ch.next()).toEqual({ value: 1, done: false });
    await pending;
    expect(await ch.next()).toEqual({ value: 2, done: false });
  });

  it('hands items straight to a waiting reader and ends on close', async () => {
    const ch = new AsyncChannel<string>(10);
    const read = ch.next();
    await ch.push('a', 100);
    expect(await read).toEqual({ value: 'a', done: false });
    const end = ch.next();
    ch.close();
    expect(await end).toEqual({ value: undefined, done: true });
    await expect(ch.push('b', 1)).rejects.toMatchObject({ code: 'CANCELLED' });
  });

  it('delivers queued items before a failure', async () => {
    const ch = new AsyncChannel<string>(100);
    await ch.push('a', 1);
    ch.fail(new Error('gone'));
    expect(await ch.next()).toEqual({ value: 'a', done: false });
    await expect(ch.next()).rejects.toThrow('gone');
  });
});
