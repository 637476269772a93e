import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/index.js';
import { NodeResponseBudget } from './node-response-budget.js';
import { ResponseBudgets, type CallBudget } from './response-budget.js';

const stallMs = 10_000;

/**
 * A node of 100 bytes, connections of 100 each, closing stalled connections after 10 s; closing a
 * connection ends its calls, as a dropped socket does.
 */
function node() {
  const clock = new ManualClock();
  const budget = new NodeResponseBudget(100, clock);
  const closed: string[] = [];
  const calls = new Map<string, CallBudget[]>();
  const budgets = new ResponseBudgets(100, {
    node: budget,
    clock,
    stall: {
      msMax: stallMs,
      close: (connection) => {
        closed.push(connection);
        for (const call of calls.get(connection) ?? []) {
          call.callEnded();
          call.handlerDone();
        }
        return true;
      },
    },
  });
  const settled = new Set<Promise<unknown>>();
  const reserve = (connection: string, bytes: number) => {
    const call = budgets.forCall(connection);
    calls.set(connection, [...(calls.get(connection) ?? []), call]);
    const p = call.reserve(bytes, new AbortController().signal);
    p.then(
      () => settled.add(p),
      () => settled.add(p),
    );
    return p;
  };
  const wait = async (ms: number): Promise<void> => {
    clock.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { clock, budget, closed, reserve, wait, isSettled: (p: Promise<unknown>) => settled.has(p) };
}

describe('closing connections whose answers stall', () => {
  it('closes a connection holding an answer past the limit while another waits, and lets the waiter in', async () => {
    const n = node();
    await n.reserve('unread', 60);
    await n.wait(stallMs);
    const waiting = n.reserve('reader', 60);
    await n.wait(0);
    expect(n.closed).toEqual(['unread']);
    expect(n.budget.stalledConnectionsClosed).toBe(1);
    await n.wait(0);
    expect(n.isSettled(waiting)).toBe(true);
  });

  it('closes nothing while no call waits for the node, however long answers are held', async () => {
    const n = node();
    await n.reserve('unread', 100);
    await n.wait(10 * stallMs);
    expect(n.closed).toEqual([]);
    expect(n.clock.pendingCount).toBe(0);
  });

  it('waits until the held answer is past the limit, not the waiting call', async () => {
    const n = node();
    await n.reserve('unread', 60);
    await n.wait(stallMs / 2);
    void n.reserve('reader', 60);
    await n.wait(stallMs / 2 - 1);
    expect(n.closed).toEqual([]);
    await n.wait(1);
    expect(n.closed).toEqual(['unread']);
  });

  it('spares a connection whose answers go out, and one that only waits at the node', async () => {
    const n = node();
    const old = await n.reserve('busy', 50);
    await n.reserve('unread', 50);
    await n.wait(stallMs / 2);
    // busy's answer went out and it asked again: its oldest held answer is now this one.
    old.release();
    await n.reserve('busy', 50);
    // Waits at the node, holding its own connection's room only.
    const waiting = n.reserve('waiting', 60);
    await n.wait(stallMs / 2);
    expect(n.closed).toEqual(['unread']);
    await n.wait(stallMs / 2 - 1);
    expect(n.closed).toEqual(['unread']);
    expect(n.isSettled(waiting)).toBe(false);
    // Ten seconds after busy's second answer was admitted it has not gone out either: now it stalls too.
    await n.wait(1);
    expect(n.closed).toEqual(['unread', 'busy']);
    await n.wait(0);
    expect(n.isSettled(waiting)).toBe(true);
  });

  it('stops watching once no call waits', async () => {
    const n = node();
    const held = await n.reserve('slow', 60);
    void n.reserve('reader', 60);
    held.release();
    await n.wait(0);
    expect(n.clock.pendingCount).toBe(1);
    await n.wait(stallMs);
    expect(n.closed).toEqual([]);
    expect(n.clock.pendingCount).toBe(0);
  });
});
