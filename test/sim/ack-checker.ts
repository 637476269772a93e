import { InvariantViolation } from './invariant-violation.js';

interface Pending {
  readonly nodeId: number;
  readonly index: number;
  readonly term: number;
}

export interface Acked {
  readonly payload: string;
  readonly index: number;
  readonly term: number;
}

/**
 * Acknowledged proposals are never lost. A proposal is acknowledged when the node it was proposed to
 * applies an entry with its payload at the index and term propose() returned. From then on, every node
 * that applies that index must apply that payload, and at the end every live member must hold it.
 */
export class AckChecker {
  private readonly pending = new Map<string, Pending>();
  private readonly pendingByPosition = new Map<string, string>();
  private readonly ackedByIndex = new Map<number, Acked>();
  acks = 0;
  lost = 0;
  ackedIndexMax = 0;

  onPropose(nodeId: number, payload: string, index: number, term: number): void {
    this.pending.set(payload, { nodeId, index, term });
    this.pendingByPosition.set(`${nodeId}:${index}`, payload);
  }

  /** The node's in-memory proposals die with it: no client hears about them any more. */
  onNodeDown(nodeId: number): void {
    for (const [payload, p] of this.pending) {
      if (p.nodeId === nodeId) this.forget(payload, p);
    }
  }

  /** The node jumped to a snapshot: its proposals at or below it were never applied by it one by one. */
  onRestore(nodeId: number, upTo: number): void {
    for (const [payload, p] of this.pending) {
      if (p.nodeId === nodeId && p.index <= upTo) this.forget(payload, p);
    }
  }

  onApply(nodeId: number, index: number, term: number, key: string): void {
    const acked = this.ackedByIndex.get(index);
    if (acked !== undefined && acked.payload !== key) {
      throw new InvariantViolation(
        'acknowledged proposals never lost',
        `"${acked.payload}" was acknowledged at index ${index} term ${acked.term}; n${nodeId} applied "${key}" there`,
      );
    }
    const mine = this.pendingByPosition.get(`${nodeId}:${index}`);
    if (mine !== undefined) this.settle(mine, nodeId, index, term, key);
    const p = this.pending.get(key);
    if (p !== undefined && p.nodeId === nodeId && p.index !== index) {
      throw new InvariantViolation(
        'acknowledged proposals never lost',
        `n${nodeId} applied its proposal "${key}" at index ${index}, propose() returned index ${p.index}`,
      );
    }
  }

  ackedUpTo(): Acked[] {
    return [...this.ackedByIndex.values()];
  }

  /** Every acknowledged payload at its index in the node's state machine. */
  checkHeldBy(nodeId: number, keyAt: (index: number) => string | undefined): void {
    for (const acked of this.ackedByIndex.values()) {
      const held = keyAt(acked.index);
      if (held !== acked.payload) {
        throw new InvariantViolation(
          'acknowledged proposals never lost',
          `n${nodeId} holds ${held === undefined ? 'nothing' : `"${held}"`} at index ${acked.index}, ` +
            `where "${acked.payload}" was acknowledged`,
        );
      }
    }
  }

  private settle(payload: string, nodeId: number, index: number, term: number, key: string): void {
    const p = this.pending.get(payload);
    if (p === undefined) return;
    this.forget(payload, p);
    if (key !== payload) {
      this.lost++;
      return;
    }
    if (p.term !== term) {
      throw new InvariantViolation(
        'acknowledged proposals never lost',
        `n${nodeId} applied "${payload}" at index ${index} term ${term}, propose() returned term ${p.term}`,
      );
    }
    this.ackedByIndex.set(index, { payload, index, term });
    this.acks++;
    if (index > this.ackedIndexMax) this.ackedIndexMax = index;
  }

  private forget(payload: string, p: Pending): void {
    this.pending.delete(payload);
    this.pendingByPosition.delete(`${p.nodeId}:${p.index}`);
  }
}
