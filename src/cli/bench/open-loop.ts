import type { BenchTime } from './bench-time.js';

export interface OpenLoopOptions {
  /** Operations to start in all. */
  readonly count: number;
  /** Operations started per second, whatever the system under test answers. */
  readonly ratePerSec: number;
  /**
   * Bound on operations awaiting their answer, so a stalled target cannot exhaust memory. Reaching it
   * delays sends, and the delay still counts: latency runs from the intended send time.
   */
  readonly inFlightMax: number;
}

export interface OpenLoopOutcome {
  readonly ok: boolean;
  /** ms since the run started when the answer came. */
  readonly doneAtMs: number;
  /** From the intended send time (not the actual one) to the answer. */
  readonly latencyMs: number;
}

export interface OpenLoopResult {
  readonly sent: number;
  readonly ok: number;
  readonly errors: number;
  readonly elapsedMs: number;
  /** How far the last send fell behind its schedule: how much the generator itself lagged. */
  readonly lagMsMax: number;
}

/** Timers fire about this late anyway: sleeping at least this long sends what fell due meanwhile as one burst. */
const sleepMsMin = 1;
/** A generator behind its schedule still yields now and then, so answers are read while it catches up. */
const burstSendsMax = 256;

/**
 * Starts operation i at start + i / rate, never waiting for earlier answers (open loop). Each latency
 * is measured from the intended send time, so a stall that delays later sends shows up in their
 * latency instead of being hidden (coordinated omission).
 */
export async function runOpenLoop(
  time: BenchTime,
  options: OpenLoopOptions,
  operation: (index: number, intendedAtMs: number) => Promise<unknown>,
  onDone: (outcome: OpenLoopOutcome) => void,
): Promise<OpenLoopResult> {
  const intervalMs = 1000 / options.ratePerSec;
  const started = time.now();
  const pending = new Set<Promise<void>>();
  let ok = 0;
  let errors = 0;
  let lagMsMax = 0;
  let burst = 0;
  for (let i = 0; i < options.count; i++) {
    const intendedMs = i * intervalMs;
    burst = (await waitUntil(time, started + intendedMs)) ? 0 : burst + 1;
    if (burst >= burstSendsMax) {
      burst = 0;
      await time.sleep(0);
    }
    while (pending.size >= options.inFlightMax) await Promise.race(pending);
    lagMsMax = Math.max(lagMsMax, time.now() - started - intendedMs);
    const settle = (success: boolean): void => {
      if (success) ok++;
      else errors++;
      const doneAtMs = time.now() - started;
      onDone({ ok: success, doneAtMs, latencyMs: doneAtMs - intendedMs });
    };
    const p: Promise<void> = operation(i, started + intendedMs).then(
      () => settle(true),
      () => settle(false),
    );
    pending.add(p);
    void p.finally(() => pending.delete(p));
  }
  await Promise.all(pending);
  return { sent: options.count, ok, errors, elapsedMs: time.now() - started, lagMsMax };
}

/** Returns whether it slept. */
async function waitUntil(time: BenchTime, dueMs: number): Promise<boolean> {
  const aheadMs = dueMs - time.now();
  if (aheadMs <= 0) return false;
  await time.sleep(Math.max(aheadMs, sleepMsMin));
  return true;
}
