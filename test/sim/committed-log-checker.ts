import { InvariantViolation } from './invariant-violation.js';

/**
 * Committed prefixes never diverge, and leader completeness. A node reports its commit index in the
 * hard state it persists; every entry up to it is then committed and must be the same everywhere.
 * `commitTerm` records the hard-state term of the first report: the entry was committed by a leader of
 * that term or an earlier one, so a leader of any higher term must hold it (Raft's leader completeness).
 */
export class CommittedLogChecker {
  private readonly terms: number[] = [];
  private readonly keys: string[] = [];
  private readonly commitTerms: number[] = [];
  commitIndexMax = 0;

  observeCommitted(nodeId: number, index: number, term: number, key: string, reporterTerm: number): void {
    const knownTerm = this.terms[index];
    if (knownTerm === undefined) {
      this.terms[index] = term;
      this.keys[index] = key;
      this.commitTerms[index] = reporterTerm;
      if (index > this.commitIndexMax) this.commitIndexMax = index;
      return;
    }
    if (knownTerm !== term || this.keys[index] !== key) {
      throw new InvariantViolation(
        'committed prefixes never diverge',
        `index ${index} was committed as term ${knownTerm} "${this.keys[index]}", n${nodeId} commits term ` +
          `${term} "${key}"`,
      );
    }
    if (reporterTerm < (this.commitTerms[index] ?? Infinity)) this.commitTerms[index] = reporterTerm;
  }

  /**
   * `termAt(i)` is the leader's log term at i, or undefined when i is below its log (in its snapshot,
   * which the state-machine checker covers) — `lastIndex` bounds the log from above.
   */
  checkLeaderComplete(
    nodeId: number,
    leaderTerm: number,
    firstIndex: number,
    lastIndex: number,
    termAt: (index: number) => number,
  ): void {
    for (let i = firstIndex; i <= this.commitIndexMax; i++) {
      const commitTerm = this.commitTerms[i];
      if (commitTerm === undefined || commitTerm >= leaderTerm) continue;
      const expected = this.terms[i];
      const held = i <= lastIndex ? termAt(i) : undefined;
      if (held !== expected) {
        throw new InvariantViolation(
          'leader completeness',
          `n${nodeId} leads term ${leaderTerm} but holds ${held === undefined ? 'nothing' : `term ${held}`} ` +
            `at index ${i}, committed at term ${expected} by term ${commitTerm}`,
        );
      }
    }
  }
}
