import { describe, expect, it } from 'vitest';
import { noProgress } from '../bench-runner.js';
import type { BenchSender } from './bench-target.js';
import { realBenchTime } from './bench-time.js';
import { measureProduce } from './workload.js';

/** A sender whose sends settle on the next turns, every `failEvery`-th one rejected (or thrown). */
class CountingSender implements BenchSender {
  inFlight = 0;
  inFlightMost = 0;
  sends = 0;

  constructor(
    private readonly failEvery = 0,
    private readonly throwInstead = false,
  ) {}

  send(): Promise<unknown> {
    this.sends++;
    const fails = this.failEvery > 0 && this.sends % this.failEvery === 0;
    if (fails && this.throwInstead) throw new Error('refused at once');
    this.inFlight++;
    this.inFlightMost = Math.max(this.inFlightMost, this.inFlight);
    return new Promise((resolve, reject) =>
      setImmediate(() => {
        this.inFlight--;
        if (fails) reject(new Error('refused'));
        else resolve(undefined);
      }),
    );
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

const shape = { count: 1_000, recordBytes: 16, concurrency: 32 };

describe('the closed loop', () => {
  it('keeps exactly `concurrency` sends in flight and sends each record once', async () => {
    const sender = new CountingSender();
    const { result } = await measureProduce(sender, shape, realBenchTime, noProgress);
    expect(sender.sends).toBe(1_000);
    expect(sender.inFlightMost).toBe(32);
    expect(result).toMatchObject({ count: 1_000, errors: 0 });
  });

  it('counts rejected and thrown sends as errors and goes on', async () => {
    for (const throwInstead of [false, true]) {
      const sender = new CountingSender(10, throwInstead);
      const { result } = await measureProduce(sender, shape, realBenchTime, noProgress);
      expect(sender.sends).toBe(1_000);
      expect(result).toMatchObject({ count: 900, errors: 100 });
    }
  });

  it('stops sending once aborted and counts what was never sent as failed', async () => {
    const stop = new AbortController();
    const sender = new CountingSender();
    const sending = measureProduce(sender, { ...shape, signal: stop.signal }, realBenchTime, noProgress);
    await new Promise((resolve) => setImmediate(resolve));
    stop.abort();
    const { result } = await sending;
    expect(sender.sends).toBeLessThan(1_000);
    expect(result).toMatchObject({ count: sender.sends, errors: 1_000 - sender.sends });
  });
});
