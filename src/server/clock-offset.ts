import { RaftlogError } from '../../lib/index.js';

/** Shifts this process's wall clock, as a skewed system clock would (fault injection, see chaos/). */
export const clockOffsetEnv = 'RAFTLOG_CLOCK_OFFSET_MS';
export const clockOffsetMsMax = 24 * 60 * 60 * 1000;

/** The offset in `raw` (milliseconds, signed integer, at most a day either way); 0 when unset. */
export function parseClockOffset(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 0;
  const text = raw.trim();
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value) || Math.abs(value) > clockOffsetMsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${clockOffsetEnv} must be an integer number of milliseconds between -${clockOffsetMsMax} and ` +
        `${clockOffsetMsMax}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * Makes `Date.now()`, `new Date()` and `Date()` read the wall clock plus `offsetMs` for the whole
 * process. Timers, `performance.now()` and `process.hrtime` stay on the monotonic clock, as they do
 * when the system clock is wrong. Returns what undoes it.
 */
export function applyClockOffset(offsetMs: number): () => void {
  const RealDate = globalThis.Date;
  if (offsetMs === 0) return () => {};
  const now = (): number => RealDate.now() + offsetMs;
  const skewed = new Proxy(RealDate, {
    construct: (target, args: unknown[], newTarget: NewableFunction) =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget) as object,
    apply: () => new RealDate(now()).toString(),
    get: (target, property, receiver): unknown =>
      property === 'now' ? now : (Reflect.get(target, property, receiver) as unknown),
  });
  globalThis.Date = skewed;
  return () => {
    globalThis.Date = RealDate;
  };
}

/** Applies RAFTLOG_CLOCK_OFFSET_MS once, at the start of a node process; returns the offset. */
export function applyClockOffsetFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const offsetMs = parseClockOffset(env[clockOffsetEnv]);
  applyClockOffset(offsetMs);
  return offsetMs;
}
