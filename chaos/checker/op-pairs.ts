import type { ClientOp, HistoryEvent } from '../history/index.js';
import { MalformedHistoryError } from './malformed-history-error.js';

/**
 * Pairs each completion with its process's pending invoke. Positions are indices into the history
 * array; `invokeOf` lets an anomaly name a whole operation from its completion alone.
 */
export class OpPairs {
  private readonly pending = new Map<number, number>();
  private readonly invokeOf: Int32Array;

  constructor(private readonly history: readonly HistoryEvent[]) {
    this.invokeOf = new Int32Array(history.length).fill(-1);
  }

  invoked(op: ClientOp, at: number): void {
    if (this.pending.has(op.process)) {
      throw new MalformedHistoryError(op.index, `process ${op.process} invoked while busy`);
    }
    this.pending.set(op.process, at);
  }

  /** Returns the invoke a completion ends. */
  completed(op: ClientOp, at: number): ClientOp {
    const invokeAt = this.pending.get(op.process);
    const invoke = invokeAt === undefined ? undefined : this.history[invokeAt];
    if (invokeAt === undefined || invoke === undefined) {
      throw new MalformedHistoryError(op.index, `${op.type} without an invoke by process ${op.process}`);
    }
    if (invoke.f !== op.f) {
      throw new MalformedHistoryError(op.index, `${op.f} completes a ${invoke.f} invoke (${invoke.index})`);
    }
    this.pending.delete(op.process);
    this.invokeOf[at] = invokeAt;
    return invoke;
  }

  /** Position of the invoke a completion at `at` ended. */
  invokeAt(at: number): number {
    return this.invokeOf[at] ?? -1;
  }

  /** History indices of the invokes and completions at these completion positions, ascending. */
  indicesOf(completions: readonly number[]): number[] {
    const indices = new Set<number>();
    for (const at of completions) {
      const invokeAt = this.invokeOf[at] ?? -1;
      if (invokeAt >= 0) indices.add(this.indexAt(invokeAt));
      indices.add(this.indexAt(at));
    }
    return [...indices].sort((a, b) => a - b);
  }

  private indexAt(at: number): number {
    return this.history[at]?.index ?? at;
  }
}
