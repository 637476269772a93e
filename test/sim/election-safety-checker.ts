import { InvariantViolation } from './invariant-violation.js';

/** Election safety: at most one leader per term, over every term ever seen. */
export class ElectionSafetyChecker {
  private readonly leaderByTerm = new Map<number, number>();
  private lastLeader = 0;
  elections = 0;
  leaderChanges = 0;

  observeLeader(term: number, nodeId: number): void {
    const known = this.leaderByTerm.get(term);
    if (known === nodeId) return;
    if (known !== undefined) {
      throw new InvariantViolation(
        'election safety',
        `term ${term} has two leaders: n${known} and n${nodeId}`,
      );
    }
    this.leaderByTerm.set(term, nodeId);
    this.elections++;
    if (this.lastLeader !== 0 && this.lastLeader !== nodeId) this.leaderChanges++;
    this.lastLeader = nodeId;
  }

  leaderOf(term: number): number | undefined {
    return this.leaderByTerm.get(term);
  }
}
