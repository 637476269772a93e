import type { FaultKind } from '../history/index.js';

export interface CheckOptions {
  /** Examples kept per anomaly name; every occurrence is still counted. Default 20. */
  readonly examplesMax?: number;
  /** Shortest stretch without an acknowledged send that counts as unavailability. Default 1000 ms. */
  readonly unavailableMsMin?: number;
  /** Fault kinds whose failovers make up `failoverMs`. Default kill, partition, pause. */
  readonly failoverKinds?: readonly FaultKind[];
}

export interface ResolvedCheckOptions {
  readonly examplesMax: number;
  readonly unavailableMsMin: number;
  readonly failoverKinds: ReadonlySet<FaultKind>;
}

export function resolveCheckOptions(options: CheckOptions): ResolvedCheckOptions {
  return {
    examplesMax: options.examplesMax ?? 20,
    unavailableMsMin: options.unavailableMsMin ?? 1000,
    failoverKinds: new Set(options.failoverKinds ?? ['kill', 'partition', 'pause']),
  };
}
