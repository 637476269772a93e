import type { GroupId, LogIndex } from '../../lib/index.js';
import { MemoryRaftStorage, type ConfState, type Snapshot } from '../../raft/index.js';
import { StorageBatch, type KvStore, type RaftLogStore } from '../../storage/index.js';

export interface LoadedGroup {
  readonly storage: MemoryRaftStorage;
  /** The snapshot the state machine must start from; undefined when it starts empty. */
  readonly snapshot: Snapshot | undefined;
  readonly applied: LogIndex;
}

/**
 * Rebuilds a group's in-memory log mirror from disk. A group never written is bootstrapped with
 * `bootstrap` as its first configuration, stored as a snapshot at index 0 so a restart finds it.
 */
export async function loadGroup(
  kv: KvStore,
  logs: RaftLogStore,
  group: GroupId,
  bootstrap: { confState: ConfState; data: Uint8Array } | undefined,
): Promise<LoadedGroup> {
  const state = await logs.load(group);
  const storage = new MemoryRaftStorage();
  if (state.snapshot === undefined && state.lastIndex === 0) {
    // A group that left this node and came back keeps its term and vote (see RaftLogStore.deleteGroup).
    storage.setHardState(state.hardState);
    if (bootstrap === undefined) return { storage, snapshot: undefined, applied: 0 as LogIndex };
    const snap: Snapshot = {
      metadata: { index: 0 as LogIndex, term: state.prevTerm, confState: bootstrap.confState },
      data: bootstrap.data,
    };
    const batch = new StorageBatch();
    await logs.setSnapshot(batch, group, snap);
    await batch.commit(kv, { sync: true });
    storage.bootstrap(bootstrap.confState);
    return { storage, snapshot: undefined, applied: 0 as LogIndex };
  }
  const snapshot = await logs.snapshot(group);
  if (snapshot !== undefined && snapshot.metadata.index > 0) storage.applySnapshot(snapshot);
  else if (snapshot !== undefined) storage.bootstrap(snapshot.metadata.confState);
  if (state.lastIndex >= state.firstIndex) {
    storage.append(
      await logs.entries(group, state.firstIndex, (state.lastIndex + 1) as LogIndex, Number.MAX_SAFE_INTEGER),
    );
  }
  storage.setHardState(state.hardState);
  const fromSnapshot = snapshot !== undefined && snapshot.metadata.index > 0 ? snapshot : undefined;
  return { storage, snapshot: fromSnapshot, applied: (fromSnapshot?.metadata.index ?? 0) as LogIndex };
}
