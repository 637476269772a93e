import type { ControllerState } from '../controller/index.js';
import type { RaftGroup } from '../host/index.js';

/**
 * The node leads the controller, its commit index holds an entry of its own term, and the state has
 * applied it: so the state holds everything committed before this term, and only this leader's own
 * proposals can be ahead of it. What the leader answers or decides from the state (group offsets,
 * which transaction end is pending) waits for this, or a new leader would act on a state its
 * predecessors already changed.
 */
export function leaderCaughtUp(group: RaftGroup | undefined, state: ControllerState): boolean {
  if (group === undefined) return false;
  const s = group.status();
  if (s.role !== 'leader' || s.commit === 0 || state.appliedIndex < s.commit) return false;
  try {
    return group.storage.term(s.commit) === s.term;
  } catch {
    // Below the last snapshot: not an entry of this term.
    return false;
  }
}
