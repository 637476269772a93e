import type { Key } from '../history/index.js';
import type { OpPairs } from './op-pairs.js';
import { anomalyNames, type Anomaly, type AnomalyName } from './types.js';

/**
 * Counts every anomaly but keeps only a few examples per name, so a badly broken run with millions
 * of anomalies still checks in bounded memory. Messages are built only for the examples kept.
 */
export class AnomalyLog {
  private readonly counts = Object.fromEntries(anomalyNames.map((n) => [n, 0])) as Record<
    AnomalyName,
    number
  >;
  private readonly examples = new Map<AnomalyName, Anomaly[]>(anomalyNames.map((n) => [n, []]));

  constructor(
    private readonly examplesMax: number,
    private readonly pairs: OpPairs,
  ) {}

  /** `completions` are history positions of the completions involved; their invokes are added. */
  add(name: AnomalyName, key: Key, message: () => string, completions: readonly number[]): void {
    this.counts[name]++;
    const kept = this.examples.get(name);
    if (kept === undefined || kept.length >= this.examplesMax) return;
    kept.push({ name, key, message: message(), ops: this.pairs.indicesOf(completions) });
  }

  result(): { anomalyCounts: Record<AnomalyName, number>; anomalies: Anomaly[] } {
    return {
      anomalyCounts: { ...this.counts },
      anomalies: anomalyNames.flatMap((n) => this.examples.get(n) ?? []),
    };
  }
}
