import { assert } from '../../lib/index.js';

/**
 * The term of every index of a log in a few numbers: terms only grow along a log, so one run per
 * term change covers it. Lets a group answer term(i) for entries it no longer holds in memory.
 */
export class TermRuns {
  /** starts[i] is the first index of run i, which has terms[i]; the last run ends at `last`. */
  private starts: number[] = [];
  private terms: number[] = [];
  private last = -1;

  /** A log whose only known position is `index` (the compaction point) at `term`. */
  reset(index: number, term: number): void {
    this.starts = [index];
    this.terms = [term];
    this.last = index;
  }

  get first(): number {
    return this.starts[0] ?? 0;
  }

  get lastIndex(): number {
    return this.last;
  }

  /** The term at `index`, or undefined outside [first, lastIndex]. */
  termAt(index: number): number | undefined {
    if (index < this.first || index > this.last) return undefined;
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return this.terms[lo];
  }

  /** Records the entry at `index`, dropping whatever was recorded at or after it. */
  append(index: number, term: number): void {
    assert(index > this.first && index <= this.last + 1, `term run append at ${index} is out of place`);
    if (index <= this.last) this.truncateFrom(index);
    const lastTerm = this.terms[this.terms.length - 1] as number;
    if (term !== lastTerm) {
      assert(term > lastTerm, `term ${term} at ${index} is below ${lastTerm}`);
      this.starts.push(index);
      this.terms.push(term);
    }
    this.last = index;
  }

  /** Forgets indexes below `index`, which becomes the first known position. */
  compact(index: number): void {
    if (index <= this.first) return;
    assert(index <= this.last, `term runs compacted to ${index} beyond ${this.last}`);
    let keep = 0;
    while (keep + 1 < this.starts.length && (this.starts[keep + 1] as number) <= index) keep++;
    this.starts = this.starts.slice(keep);
    this.terms = this.terms.slice(keep);
    this.starts[0] = index;
  }

  private truncateFrom(index: number): void {
    while ((this.starts[this.starts.length - 1] as number) >= index) {
      this.starts.pop();
      this.terms.pop();
    }
    this.last = index - 1;
  }
}
