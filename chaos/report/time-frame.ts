import type { ReportInput } from './types.js';

/** The horizontal geometry every lane of the timeline shares. */
export interface TimeFrame {
  readonly endMs: number;
  readonly left: number;
  readonly right: number;
  readonly x: (ms: number) => number;
  /** Milliseconds one pixel covers: anything shorter is invisible and may be merged. */
  readonly msPerPx: number;
}

/** The run lasts beyond its configured duration (heal, drain): the axis covers whatever was recorded. */
export function runEndMs(input: ReportInput): number {
  const { history, result } = input;
  const lastEvent = history.reduce((n, e) => Math.max(n, e.time), 0);
  const lastSecond = result.timeline.reduce((n, s) => Math.max(n, (s.second + 1) * 1000), 0);
  const lastOutage = result.unavailability.reduce((n, u) => Math.max(n, u.toMs), 0);
  return Math.max(1000, input.durationS * 1000, lastEvent, lastSecond, lastOutage);
}

export function timeFrame(endMs: number, left: number, right: number): TimeFrame {
  const scale = (right - left) / endMs;
  return {
    endMs,
    left,
    right,
    x: (ms) => left + Math.min(Math.max(ms, 0), endMs) * scale,
    msPerPx: endMs / (right - left),
  };
}
