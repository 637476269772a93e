import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../lib/index.js';
import { runOpenLoop, type OpenLoopOutcome } from './open-loop.js';

/** Drives the manual clock 1 ms at a time, letting promises settle between steps, until `p` ends. */
async function drive<T>(clock: ManualClock, p: Promise<T>, stepsMax = 10_000): Promise<T> {
  let done = false;
  void p.finally(() => (done = true));
  for (let i = 0; i < stepsMax && !done; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    clock.advance(1);
  }
  return p;
}

describe('runOpenLoop', () => {
  it('starts operations on schedule, not when earlier ones answer', async () => {
    const clock = new ManualClock();
    const startedAt: number[] = [];
    const outcomes: OpenLoopOutcome[] = [];
    const result = await drive(
      clock,
      runOpenLoop(
        clock,
        { count: 10, ratePerSec: 100, inFlightMax: 1_000 },
        (i) => {
          startedAt[i] = clock.now();
          return clock.sleep(50);
        },
        (o) => outcomes.push(o),
      ),
    );
    // Every 10 ms, although each answer takes 50 ms.
    expect(startedAt).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(result).toMatchObject({ sent: 10, ok: 10, errors: 0 });
    expect(outcomes.map((o) => o.latencyMs)).toEqual(Array(10).fill(50));
    expect(result.elapsedMs).toBe(140);
  });

  it('counts a stall against every send it delayed (no coordinated omission)', async () => {
    const clock = new ManualClock();
    const outcomes: OpenLoopOutcome[] = [];
    // One in flight at most: a 100 ms stall of the first holds back the sends due at 10, 20, ….
    const answerMs = (i: number) => (i === 0 ? 100 : 1);
    await drive(
      clock,
      runOpenLoop(
        clock,
        { count: 5, ratePerSec: 100, inFlightMax: 1 },
        (i) => clock.sleep(answerMs(i)),
        (o) => outcomes.push(o),
      ),
    );
    const latencies = outcomes.map((o) => o.latencyMs);
    expect(latencies[0]).toBe(100);
    // Send 1 was due at 10 but went at 100: its latency is 91 ms, not the 1 ms its answer took.
    expect(latencies.slice(1)).toEqual([91, 82, 73, 64]);
  });

  it('counts failures apart from successes', async () => {
    const clock = new ManualClock();
    const outcomes: OpenLoopOutcome[] = [];
    const result = await drive(
      clock,
      runOpenLoop(
        clock,
        { count: 4, ratePerSec: 1_000, inFlightMax: 10 },
        (i) => (i % 2 === 0 ? Promise.resolve() : Promise.reject(new Error('refused'))),
        (o) => outcomes.push(o),
      ),
    );
    expect(result).toMatchObject({ sent: 4, ok: 2, errors: 2 });
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, false]);
  });

  it('sends what fell due as one burst when the rate is finer than the timer', async () => {
    const clock = new ManualClock();
    const startedAt: number[] = [];
    await drive(
      clock,
      runOpenLoop(
        clock,
        { count: 20, ratePerSec: 10_000, inFlightMax: 100 },
        () => {
          startedAt.push(clock.now());
          return Promise.resolve();
        },
        () => undefined,
      ),
    );
    expect(startedAt).toHaveLength(20);
    // 0.1 ms apart: never ahead of schedule, never more than a timer step late.
    startedAt.forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(i * 0.1 - 1e-9);
      expect(at).toBeLessThanOrEqual(i * 0.1 + 1);
    });
  });
});
