import { NewerFormatError, RaftlogError } from '../../lib/index.js';
import { applyControllerCommand, type ControllerApplyOutcome } from './apply-controller-command.js';
import { decodeControllerEntry, type ControllerEntry } from './controller-codec.js';
import type { ControllerState } from './controller-types.js';

/**
 * Applies the data of one committed Raft entry. An entry that does not decode is rejected the same
 * way on every replica (CORRUPT_MESSAGE, state unchanged but for the applied index) rather than
 * stopping the group: the bytes are in the log for good, and every replica would fail on them alike.
 * An entry of a later version (its format version or command type unknown here) throws
 * NewerFormatError instead: replicas of that version apply it, so skipping it would diverge.
 */
export function applyControllerEntry(
  state: ControllerState,
  data: Uint8Array,
  index: number,
): ControllerApplyOutcome & { readonly entry: ControllerEntry | undefined } {
  let entry: ControllerEntry;
  try {
    entry = decodeControllerEntry(data);
  } catch (error) {
    if (error instanceof NewerFormatError) throw error.at(`controller entry at index ${index}`);
    const { code, message } = RaftlogError.from(error, 'CORRUPT_MESSAGE');
    return {
      state: { ...state, appliedIndex: index },
      result: { ok: false, code, message },
      entry: undefined,
    };
  }
  return {
    ...applyControllerCommand(state, entry.command, { index, timestampMs: entry.timestampMs }),
    entry,
  };
}
