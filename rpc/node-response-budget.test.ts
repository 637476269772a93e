import { describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/index.js';
import { NodeResponseBudget } from './node-response-budget.js';
import { ResponseBudgets } from './response-budget.js';

const live = (): AbortSignal => new AbortController().signal;

/** A node of `nodeMax` bytes with connections of `connectionMax` each, on a clock only the test moves. */
function node(nodeMax: number, connectionMax: number) {
  const clock = new ManualClock();
  const budget = new NodeResponseBudget(nodeMax, clock);
  const budgets = new ResponseBudgets(connectionMax, { node: budget, clock });
  const admitted = new Set<Promise<unknown>>();
  const reserve = (connection: string, bytes: number, signal = live()) => {
    const p = budgets.forCall(connection).reserve(bytes, signal);
    p.then(
      () => admitted.add(p),
      () => undefined,
    );
    return p;
  };
  /** Runs the admissions due on a later turn, then lets their promises settle. */
  const turn = async (): Promise<void> => {
    clock.advance(0);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { budget, budgets, reserve, turn, isAdmitted: (p: Promise<unknown>) => admitted.has(p) };
}

describe('the node-wide response budget', () => {
  it('holds answers of all connections together to its bytes, letting waiting ones in as they go', async () => {
    const n = node(100, 100);
    const first = await n.reserve('c1', 60);
    const second = n.reserve('c2', 60);
    await n.turn();
    // c2's own budget is untouched: only the node's is full.
    expect(n.isAdmitted(second)).toBe(false);
    expect(n.budget.heldBytes).toBe(60);
    first.release();
    expect(n.budget.heldBytes).toBe(0);
    await n.turn();
    expect(n.isAdmitted(second)).toBe(true);
    expect(n.budget.heldBytes).toBe(60);
  });

  it('lets one answer above its bytes go, alone, when the node holds nothing', async () => {
    const n = node(100, 1_000);
    const large = await n.reserve('c1', 500);
    const small = n.reserve('c2', 1);
    await n.turn();
    expect(n.isAdmitted(small)).toBe(false);
    large.release();
    await n.turn();
    expect(n.isAdmitted(small)).toBe(true);
  });

  it('keeps a connection waiting on its own budget out of the node’s queue', async () => {
    const n = node(100, 50);
    await n.reserve('slow', 40);
    // The slow connection's next answer does not fit its own budget (40 + 30 > 50)...
    const blocked = n.reserve('slow', 30);
    await n.turn();
    expect(n.isAdmitted(blocked)).toBe(false);
    // ...so it takes nothing of the node's: another connection's answer fits the node and goes at once.
    const other = n.reserve('fast', 50);
    await n.turn();
    expect(n.isAdmitted(other)).toBe(true);
    expect(n.budget.heldBytes).toBe(90);
  });

  it('admits connections in arrival order at the node, a large answer not passed over by small ones', async () => {
    const n = node(100, 100);
    const full = await n.reserve('c1', 90);
    const large = n.reserve('c2', 50);
    const small = n.reserve('c3', 10);
    await n.turn();
    // 10 bytes would fit the node, but c2 asked first.
    expect(n.isAdmitted(small)).toBe(false);
    full.release();
    await n.turn();
    expect(n.isAdmitted(large)).toBe(true);
    expect(n.isAdmitted(small)).toBe(true);
  });

  it('gives back the connection’s room of a reservation that gave up waiting at the node', async () => {
    const n = node(100, 100);
    const full = await n.reserve('other', 100);
    const cancel = new AbortController();
    const atNode = n.reserve('c1', 80, cancel.signal);
    // Fits c1's budget only without the 80 waiting at the node.
    const behind = n.reserve('c1', 30);
    await n.turn();
    cancel.abort(new Error('cancelled'));
    await expect(atNode).rejects.toThrow('cancelled');
    await n.turn();
    // Now at the node's queue, which is still full.
    expect(n.isAdmitted(behind)).toBe(false);
    full.release();
    await n.turn();
    expect(n.isAdmitted(behind)).toBe(true);
    expect(n.budget.heldBytes).toBe(30);
  });

  it('takes back everything of a call that ended, at the node too', async () => {
    const n = node(100, 100);
    const call = n.budgets.forCall('c1');
    await call.reserve(70, live());
    const waiting = n.reserve('c2', 70);
    call.callEnded();
    call.handlerDone();
    expect(n.budget.heldBytes).toBe(0);
    await n.turn();
    expect(n.isAdmitted(waiting)).toBe(true);
    expect(n.budget.heldBytes).toBe(70);
  });

  it('lets waiting reservations in on a later turn, not in the release that made the room', async () => {
    const n = node(100, 100);
    const full = await n.reserve('c1', 100);
    const waiting = n.reserve('c2', 100);
    full.release();
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(n.isAdmitted(waiting)).toBe(false);
    await n.turn();
    expect(n.isAdmitted(waiting)).toBe(true);
  });
});
