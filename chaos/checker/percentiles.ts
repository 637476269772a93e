import type { Percentiles } from './types.js';

/** Nearest-rank percentiles; `undefined` when there is nothing to rank. */
export function percentilesOf(values: readonly number[]): Percentiles | undefined {
  if (values.length === 0) return undefined;
  const sorted = Float64Array.from(values).sort();
  return { p50: rank(sorted, 0.5), p99: rank(sorted, 0.99), max: rank(sorted, 1) };
}

export function rank(sorted: Float64Array, p: number): number {
  const i = Math.max(0, Math.ceil(p * sorted.length) - 1);
  // Times carry microseconds; differences of them carry float noise not worth printing.
  return Math.round((sorted[i] ?? 0) * 1000) / 1000;
}
