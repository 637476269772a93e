import { describe, expect, it } from 'vitest';
import { BatchTurns } from './batch-turns.js';

describe('BatchTurns', () => {
  it('counts the batches of each partition in its line', () => {
    const turns = new BatchTurns();
    const a = turns.enter('t/0');
    turns.enter('t/0');
    turns.enter('t/1');
    expect([turns.count('t/0'), turns.count('t/1'), turns.count('t/2')]).toEqual([2, 1, 0]);
    a.leave();
    a.leave();
    expect(turns.count('t/0')).toBe(1);
  });

  it('lets a batch wait until every earlier one left, whatever order they leave in', async () => {
    const turns = new BatchTurns();
    const [a, b, c] = [turns.enter('k'), turns.enter('k'), turns.enter('k')];
    expect([a.first, b.first, c.first]).toEqual([true, false, false]);
    let cReady = false;
    const waiting = c.earlierLeft().then(() => (cReady = true));
    b.leave();
    await Promise.resolve();
    await Promise.resolve();
    expect(cReady).toBe(false);
    expect(c.first).toBe(false);
    a.leave();
    await waiting;
    expect(cReady).toBe(true);
    expect(c.first).toBe(true);
    await a.earlierLeft();
  });

  it('does not wait for batches that enter later', async () => {
    const turns = new BatchTurns();
    const a = turns.enter('k');
    turns.enter('k');
    await a.earlierLeft();
    expect(a.first).toBe(true);
  });

  it('lets a batch start at once unless an earlier one was refused out of turn, then once those left', async () => {
    const turns = new BatchTurns();
    const [a, b, c] = [turns.enter('k'), turns.enter('k'), turns.enter('k')];
    await c.mayStart();
    b.refusedOutOfTurn();
    const d = turns.enter('k');
    let dMay = false;
    const waiting = d.mayStart().then(() => (dMay = true));
    // Neither the first batch (not refused) nor a later one holds d back: only the refused b.
    a.leave();
    await Promise.resolve();
    await Promise.resolve();
    expect(dMay).toBe(false);
    b.leave();
    await waiting;
    expect(dMay).toBe(true);
    expect(d.first).toBe(false);
    expect(turns.count('k')).toBe(2);
    c.leave();
    d.leave();
  });
});
