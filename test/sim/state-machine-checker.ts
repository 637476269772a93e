import { InvariantViolation } from './invariant-violation.js';

/**
 * State-machine safety: every node applies the same entry at each index, in index order without gaps,
 * so all applied sequences are prefixes of one canonical sequence (kept here, never rewritten). A
 * client payload is applied at one index only: the client never proposes a payload twice.
 */
export class StateMachineChecker {
  private readonly canonical: string[] = [];
  private readonly nextByNode = new Map<number, number>();
  private readonly indexByPayload = new Map<string, number>();
  appliedIndexMax = 0;

  /** The node's state machine now holds `entries` (indexes 1..n), from a snapshot or a restart. */
  restore(nodeId: number, keys: readonly string[]): void {
    keys.forEach((key, i) => this.check(nodeId, i + 1, key));
    this.nextByNode.set(nodeId, keys.length + 1);
  }

  observeApply(nodeId: number, index: number, key: string): void {
    const expected = this.nextByNode.get(nodeId) ?? 1;
    if (index !== expected) {
      throw new InvariantViolation(
        'state-machine safety',
        `n${nodeId} applied index ${index} but its next index to apply is ${expected}`,
      );
    }
    this.check(nodeId, index, key);
    this.nextByNode.set(nodeId, index + 1);
  }

  keyAt(index: number): string | undefined {
    return this.canonical[index];
  }

  private check(nodeId: number, index: number, key: string): void {
    const known = this.canonical[index];
    if (known === undefined) {
      this.canonical[index] = key;
      if (index > this.appliedIndexMax) this.appliedIndexMax = index;
      this.checkUnique(index, key);
    } else if (known !== key) {
      throw new InvariantViolation(
        'state-machine safety',
        `n${nodeId} applied "${key}" at index ${index} where another node applied "${known}"`,
      );
    }
  }

  private checkUnique(index: number, key: string): void {
    if (!key.startsWith('p')) return;
    const other = this.indexByPayload.get(key);
    if (other !== undefined && other !== index) {
      throw new InvariantViolation(
        'state-machine safety',
        `payload "${key}" applied at ${other} and ${index}`,
      );
    }
    this.indexByPayload.set(key, index);
  }
}
