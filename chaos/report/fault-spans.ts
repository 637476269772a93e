import type { FaultEvent, FaultKind, HistoryEvent } from '../history/types.js';

/** A fault from the moment it took effect until it was healed (or the run ended with it in force). */
export interface FaultSpan {
  readonly kind: FaultKind;
  readonly nodes: readonly number[];
  readonly description: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly healed: boolean;
  /** History index of the fault's start, the one failovers refer to. */
  readonly index: number;
}

function spanKey(e: FaultEvent): string {
  return `${e.kind}:${[...e.nodes].sort((a, b) => a - b).join(',')}`;
}

/**
 * Pairs each fault end with the earliest open start of the same kind on the same nodes: the
 * nemesis may run two faults of one kind at once, but never two on the same nodes.
 */
export function faultSpans(history: readonly HistoryEvent[], endMs: number): FaultSpan[] {
  const open = new Map<string, FaultEvent[]>();
  const spans: FaultSpan[] = [];
  for (const e of history) {
    if (e.f !== 'fault') continue;
    const key = spanKey(e);
    const queue = open.get(key) ?? [];
    if (e.phase === 'start') {
      queue.push(e);
      open.set(key, queue);
      continue;
    }
    const start = queue.shift();
    if (start !== undefined) spans.push(toSpan(start, e.time, true));
  }
  for (const queue of open.values()) for (const start of queue) spans.push(toSpan(start, endMs, false));
  return spans.sort((a, b) => a.startMs - b.startMs || a.index - b.index);
}

function toSpan(start: FaultEvent, endMs: number, healed: boolean): FaultSpan {
  return {
    kind: start.kind,
    nodes: start.nodes,
    description: start.description,
    startMs: start.time,
    endMs: Math.max(endMs, start.time),
    healed,
    index: start.index,
  };
}
