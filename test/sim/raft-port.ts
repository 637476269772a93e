import { RaftlogError, type LogIndex, type NodeId, type Term } from '../../lib/index.js';
import * as raft from '../../raft/index.js';
import type { ConfState, Entry, Snapshot } from '../../raft/index.js';

/**
 * The one file of the simulator that imports raft/. The core (RawNode, MemoryRaftStorage, the message
 * and Ready shapes) is imported by name, so API drift is a compile error; later features (the
 * conf-change codec) are looked up at run time, so the simulator keeps running against a core that
 * does not have them yet and turns them on by itself once they are exported.
 */
export { RawNode, MemoryRaftStorage } from '../../raft/index.js';
export type { Message, Ready, RaftConfig, ConfState, Entry, HardState, Snapshot } from '../../raft/index.js';

export type ConfChangeType = 'add-voter' | 'add-learner' | 'remove-node';
export interface SimConfChange {
  changes: { type: ConfChangeType; nodeId: NodeId }[];
  transition: 'auto' | 'explicit';
}

interface ConfChangeCodec {
  encodeConfChange(cc: SimConfChange): Uint8Array;
  decodeConfChange(data: Uint8Array): SimConfChange;
}

function findCodec(): ConfChangeCodec | undefined {
  const exported = raft as unknown as Partial<ConfChangeCodec>;
  if (typeof exported.encodeConfChange !== 'function' || typeof exported.decodeConfChange !== 'function') {
    return undefined;
  }
  return exported as ConfChangeCodec;
}

export const confChangeCodec: ConfChangeCodec | undefined = findCodec();

/** Optional RawNode methods, present per the API spec but possibly not implemented yet. */
export const rawNodeHas = {
  proposeConfChange: typeof raft.RawNode.prototype.proposeConfChange === 'function',
  transferLeader: typeof raft.RawNode.prototype.transferLeader === 'function',
  readIndex: typeof raft.RawNode.prototype.readIndex === 'function',
};

export function isUnimplemented(error: unknown): boolean {
  return error instanceof RaftlogError && error.code === 'UNIMPLEMENTED';
}

export function emptyConfState(): ConfState {
  return { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
}

export function bootstrapConfState(voters: readonly NodeId[]): ConfState {
  return { ...emptyConfState(), voters: [...voters] };
}

/**
 * Every initial member starts from the same snapshot at index 1 (term 1) holding the initial
 * configuration, so a node added later always starts from a snapshot that tells it the membership.
 */
export function bootstrapStorage(voters: readonly NodeId[], data: Uint8Array): raft.MemoryRaftStorage {
  const storage = new raft.MemoryRaftStorage();
  const snapshot: Snapshot = {
    metadata: { index: 1 as LogIndex, term: 1 as Term, confState: bootstrapConfState(voters) },
    data,
  };
  storage.applySnapshot(snapshot);
  storage.setHardState({ term: 1 as Term, vote: 0, commit: 1 as LogIndex });
  return storage;
}

export function newStorage(): raft.MemoryRaftStorage {
  return new raft.MemoryRaftStorage();
}

const decoder = new TextDecoder();

/** A printable identity of an entry's content, compared across nodes. */
export function entryKey(entry: Pick<Entry, 'type' | 'data'>): string {
  if (entry.type === 'normal') return decoder.decode(entry.data);
  return `cc:${Buffer.from(entry.data).toString('hex')}`;
}
