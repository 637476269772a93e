import { NewerFormatError, RaftlogError } from '../../lib/index.js';
import { decodePartitionEntry } from './partition-command-codec.js';
import type { PartitionStateMachine } from './partition-state-machine.js';
import type { PartitionEntry, PartitionResult } from './partition-types.js';

/**
 * Applies the data of one committed Raft entry. An entry that does not decode is rejected alike on
 * every replica (CORRUPT_MESSAGE, only the applied index moves) instead of halting the group; one of
 * a command type a later version added throws NewerFormatError instead, since replicas running that
 * version apply it and skipping it here would make this replica differ from them.
 */
export function applyPartitionEntry(
  sm: PartitionStateMachine,
  data: Uint8Array,
  index: number,
): { readonly result: PartitionResult; readonly entry: PartitionEntry | undefined } {
  let entry: PartitionEntry;
  try {
    entry = decodePartitionEntry(data);
  } catch (error) {
    if (error instanceof NewerFormatError) throw error.at(`partition entry at index ${index}`);
    const { code, message } = RaftlogError.from(error, 'CORRUPT_MESSAGE');
    sm.skip(index);
    return { result: { ok: false, code, message }, entry: undefined };
  }
  return { result: sm.apply(entry.command, { index, timestampMs: entry.timestampMs }), entry };
}
