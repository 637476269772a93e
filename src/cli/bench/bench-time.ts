import { systemClock } from '../../server/system-clock.js';

/**
 * The time a bench reads: a monotonic clock in fractional milliseconds (latencies are often below one
 * millisecond, finer than Clock.now) and a sleep. `ManualClock` fits it, so the schedulers replay in tests.
 */
export interface BenchTime {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realBenchTime: BenchTime = {
  now: () => performance.now(),
  sleep: (ms) => systemClock.sleep(ms),
};
