import { assert } from '../../lib/index.js';
import type { ConfState, Snapshot } from './raft-port.js';

export interface AppliedEntry {
  readonly term: number;
  readonly key: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The replicated state machine of the simulation: the sequence of applied entries (index i at
 * position i - 1) and the configuration as of the last applied entry. It is volatile; its durable form
 * is the node's latest snapshot, from which a restarted node replays the committed log.
 */
export class SimStateMachine {
  private entries: AppliedEntry[] = [];
  confState: ConfState;

  constructor(confState: ConfState) {
    this.confState = confState;
  }

  static encode(entries: readonly AppliedEntry[]): Uint8Array {
    return encoder.encode(JSON.stringify(entries.map((e) => [e.term, e.key])));
  }

  get appliedIndex(): number {
    return this.entries.length;
  }

  restore(snapshot: Snapshot): void {
    const parsed = JSON.parse(decoder.decode(snapshot.data)) as [number, string][];
    assert(Array.isArray(parsed), 'snapshot data is not a list');
    assert(
      parsed.length === snapshot.metadata.index,
      `snapshot at index ${snapshot.metadata.index} holds ${parsed.length} entries`,
    );
    this.entries = parsed.map(([term, key]) => ({ term, key }));
    this.confState = snapshot.metadata.confState;
  }

  apply(term: number, key: string): void {
    this.entries.push({ term, key });
  }

  keyAt(index: number): string | undefined {
    return this.entries[index - 1]?.key;
  }

  keys(): string[] {
    return this.entries.map((e) => e.key);
  }

  encode(): Uint8Array {
    return SimStateMachine.encode(this.entries);
  }
}
