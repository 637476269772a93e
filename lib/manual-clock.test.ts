import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires timers in due order, ties in the order they were set', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.after(20, () => fired.push('b'));
    clock.after(10, () => fired.push('a'));
    clock.after(20, () => fired.push('c'));
    clock.advance(15);
    expect(fired).toEqual(['a']);
    expect(clock.now()).toBe(1015);
    clock.advance(5);
    expect(fired).toEqual(['a', 'b', 'c']);
  });

  it('repeats until cancelled and never fires a cancelled timer', () => {
    const clock = new ManualClock();
    let ticks = 0;
    const timer = clock.every(10, () => ticks++);
    const never = clock.after(5, () => (ticks += 100));
    never.cancel();
    clock.advance(35);
    expect(ticks).toBe(3);
    timer.cancel();
    clock.advance(100);
    expect(ticks).toBe(3);
    expect(clock.pendingCount).toBe(0);
  });

  it('runs a timer set by a firing timer when it falls inside the same advance', () => {
    const clock = new ManualClock();
    const at: number[] = [];
    clock.after(10, () => clock.after(5, () => at.push(clock.now())));
    clock.advance(20);
    expect(at).toEqual([15]);
  });

  it('wakes a sleep when its time comes or its signal aborts', async () => {
    const clock = new ManualClock();
    let woke = false;
    const slept = clock.sleep(50).then(() => (woke = true));
    clock.advance(49);
    await Promise.resolve();
    expect(woke).toBe(false);
    clock.advance(1);
    await slept;
    expect(woke).toBe(true);
    const abort = new AbortController();
    const aborted = clock.sleep(1_000, abort.signal);
    abort.abort();
    await aborted;
    expect(clock.pendingCount).toBe(0);
  });
});
