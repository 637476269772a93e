import { InvariantViolation } from './invariant-violation.js';

export interface LoggedEntry {
  readonly index: number;
  readonly term: number;
  readonly key: string;
}

/**
 * Log matching over durable logs: two entries with the same index and term hold the same content and
 * follow the same term at index - 1. Checked at every durable append, that makes every pair of logs
 * that share (index, term) share the whole prefix up to it (induction on the index).
 */
export class LogMatchingChecker {
  private readonly seen = new Map<string, { key: string; prevTerm: number; nodeId: number }>();

  /** `prevTerm` is the term the node's durable log holds at entries[0].index - 1. */
  observeAppend(nodeId: number, prevTerm: number, entries: readonly LoggedEntry[]): void {
    let prev = prevTerm;
    for (const entry of entries) {
      if (entry.term < prev) {
        throw new InvariantViolation(
          'log matching',
          `n${nodeId} appended index ${entry.index} at term ${entry.term} after term ${prev}: terms must not decrease`,
        );
      }
      const id = `${entry.index}:${entry.term}`;
      const known = this.seen.get(id);
      if (known === undefined) {
        this.seen.set(id, { key: entry.key, prevTerm: prev, nodeId });
      } else if (known.key !== entry.key || known.prevTerm !== prev) {
        throw new InvariantViolation(
          'log matching',
          `index ${entry.index} term ${entry.term}: n${known.nodeId} holds "${known.key}" after term ` +
            `${known.prevTerm}, n${nodeId} holds "${entry.key}" after term ${prev}`,
        );
      }
      prev = entry.term;
    }
  }
}
