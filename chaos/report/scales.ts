/** A mapping from data values to pixels, with the values worth a gridline and how to print them. */
export interface Scale {
  readonly at: (value: number) => number;
  readonly ticks: readonly number[];
  readonly label: (value: number) => string;
  readonly log: boolean;
}

/** Strips binary floating-point noise from tick values (0.30000000000000004 → 0.3). */
function clean(n: number): number {
  return Number(n.toPrecision(12));
}

/** A 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0) || !Number.isFinite(raw)) return 1;
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return clean(nice * power);
}

function interpolate(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const span = d1 - d0;
  return span === 0 ? () => r0 : (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** A scale from 0 to a round number at or above `max`, with about `count` ticks. */
export function linearScale(max: number, range: readonly [number, number], count = 4): Scale {
  const step = niceStep((max > 0 ? max : 1) / count);
  const top = clean(Math.max(1, Math.ceil((max > 0 ? max : 1) / step)) * step);
  const ticks: number[] = [];
  for (let i = 0; clean(i * step) <= top; i++) ticks.push(clean(i * step));
  return { at: interpolate(0, top, range[0], range[1]), ticks, label: formatValue, log: false };
}

const mantissas = [1, 2, 5] as const;

/** The largest 1-2-5 value at or below `v` (`up` false) or the smallest at or above it. */
export function roundLog(v: number, up: boolean): number {
  const power = 10 ** Math.floor(Math.log10(v));
  const candidates = [...mantissas.map((m) => m * power), 10 * power].map(clean);
  if (up) return candidates.find((c) => c >= v) ?? clean(10 * power);
  return [...candidates].reverse().find((c) => c <= v) ?? clean(power);
}

/** A logarithmic scale over [min, max] widened to 1-2-5 bounds; both must be positive. */
export function logScale(min: number, max: number, range: readonly [number, number]): Scale {
  const lo = roundLog(min, false);
  const hi = Math.max(roundLog(max, true), clean(lo * 2));
  const all: number[] = [];
  for (let power = 10 ** Math.floor(Math.log10(lo)); power <= hi; power = clean(power * 10)) {
    for (const m of mantissas) {
      const v = clean(m * power);
      if (v >= lo && v <= hi) all.push(v);
    }
  }
  // Beyond about three decades the 2s and 5s crowd the axis; keep the powers of ten and the ends.
  const ticks =
    all.length > 10 ? all.filter((v, i) => isPowerOfTen(v) || i === 0 || i === all.length - 1) : all;
  const at = interpolate(Math.log10(lo), Math.log10(hi), range[0], range[1]);
  return { at: (v) => at(Math.log10(Math.max(v, lo))), ticks, label: formatValue, log: true };
}

function isPowerOfTen(v: number): boolean {
  return Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
}

/**
 * Latency spans milliseconds to seconds around a failover; a linear axis would flatten the usual
 * values into the floor, so a wide spread gets a logarithmic one.
 */
export function latencyScale(values: readonly number[], range: readonly [number, number]): Scale {
  const positive = values.filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return linearScale(1, range);
  const min = Math.min(...positive);
  const max = Math.max(...positive);
  return max / min >= 20 ? logScale(min, max, range) : linearScale(max, range);
}

/** 1234 → "1234", 0.25 → "0.25", 25000 → "25k", 2000000 → "2M": short enough for an axis. */
export function formatValue(v: number): string {
  if (Math.abs(v) >= 1e6) return `${clean(v / 1e6)}M`;
  if (Math.abs(v) >= 1e4) return `${clean(v / 1e3)}k`;
  return String(clean(v));
}
