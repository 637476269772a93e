import type { NodeId } from '../lib/index.js';

export type VoteResult = 'won' | 'lost' | 'pending';

/** The highest index that a majority of `voters` has reached (Infinity for no voters). */
export function majorityIndex(voters: readonly NodeId[], matchOf: (id: NodeId) => number): number {
  if (voters.length === 0) return Number.POSITIVE_INFINITY;
  const matches = voters.map(matchOf);
  sortDescending(matches);
  return matches[voters.length >> 1] as number;
}

/**
 * Insertion sort: a leader runs this on every append response, voter sets are a handful, and
 * `Array.prototype.sort` allocates its working state on each call (2% of a leader's allocations).
 */
function sortDescending(values: number[]): void {
  for (let i = 1; i < values.length; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! < v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}

/** A joint configuration commits what both majorities have reached. */
export function jointIndex(
  incoming: readonly NodeId[],
  outgoing: readonly NodeId[],
  matchOf: (id: NodeId) => number,
): number {
  return Math.min(majorityIndex(incoming, matchOf), majorityIndex(outgoing, matchOf));
}

export function majorityVote(voters: readonly NodeId[], votes: ReadonlyMap<NodeId, boolean>): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const needed = (voters.length >> 1) + 1;
  if (granted >= needed) return 'won';
  if (granted + missing >= needed) return 'pending';
  return 'lost';
}

export function jointVote(
  incoming: readonly NodeId[],
  outgoing: readonly NodeId[],
  votes: ReadonlyMap<NodeId, boolean>,
): VoteResult {
  const a = majorityVote(incoming, votes);
  const b = majorityVote(outgoing, votes);
  if (a === 'lost' || b === 'lost') return 'lost';
  if (a === 'won' && b === 'won') return 'won';
  return 'pending';
}
