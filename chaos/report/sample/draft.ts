import type { HistoryEvent } from '../../history/types.js';

type WithoutIndex<T> = T extends unknown ? Omit<T, 'index'> : never;

/** An event before its place in the history is known. */
export type Draft = WithoutIndex<HistoryEvent>;

/**
 * Orders drafts by time (stable, so an invoke stays before a completion at the same millisecond)
 * and numbers them; the map finds an event's index from its draft.
 */
export function indexDrafts(drafts: readonly Draft[]): {
  history: HistoryEvent[];
  indexOf: Map<Draft, number>;
} {
  const sorted = [...drafts].sort((a, b) => a.time - b.time);
  const indexOf = new Map<Draft, number>();
  const history = sorted.map((d, index) => {
    indexOf.set(d, index);
    return { ...d, index };
  });
  return { history, indexOf };
}
