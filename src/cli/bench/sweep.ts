/** One point of a sweep: a record size, closed loop or a fixed rate. */
export interface SweepPoint {
  readonly recordBytes: number;
  /** Open loop at this rate; absent: closed loop. */
  readonly ratePerSec?: number;
  /** The share of the measured peak this rate is. */
  readonly rateOfPeak?: number;
}

export interface RatePlan {
  readonly ratePerSec?: number;
  /** Measure the closed-loop peak first, then run open loop at each of these shares of it. */
  readonly rateOfPeak?: readonly number[];
}

/**
 * Every size in order; for each, the closed-loop peak then the open-loop shares of it, or the one
 * fixed rate, or the closed loop alone.
 */
export async function runSweep<R>(
  sizes: readonly number[],
  plan: RatePlan,
  runOne: (point: SweepPoint) => Promise<R>,
  peakOf: (result: R) => number,
): Promise<R[]> {
  const results: R[] = [];
  for (const recordBytes of sizes) {
    if (plan.rateOfPeak !== undefined) {
      const peak = await runOne({ recordBytes });
      results.push(peak);
      for (const share of plan.rateOfPeak) {
        const ratePerSec = Math.max(1, Math.round(peakOf(peak) * share));
        results.push(await runOne({ recordBytes, ratePerSec, rateOfPeak: share }));
      }
    } else if (plan.ratePerSec !== undefined) {
      results.push(await runOne({ recordBytes, ratePerSec: plan.ratePerSec }));
    } else {
      results.push(await runOne({ recordBytes }));
    }
  }
  return results;
}

/** How a point reads in a title or a progress bar: "1024 B, 4000 rec/s (50% of peak)". */
export function describePoint(p: SweepPoint): string {
  const rate = p.ratePerSec === undefined ? 'closed loop' : `${p.ratePerSec} rec/s`;
  const share = p.rateOfPeak === undefined ? '' : ` (${Math.round(p.rateOfPeak * 100)}% of peak)`;
  return `${p.recordBytes} B, ${rate}${share}`;
}
