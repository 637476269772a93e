import type { GroupId, LogIndex } from '../../lib/index.js';
import type { ConfState, Snapshot } from '../../raft/index.js';
import { StorageBatch, type KvStore, type RaftLogStore } from '../../storage/index.js';
import { CachedRaftStorage, type CacheOptions } from './cached-raft-storage.js';
import { TermRuns } from './term-runs.js';

export interface LoadedGroup {
  readonly storage: CachedRaftStorage;
  /** The snapshot the state machine must start from; undefined when it starts empty. */
  readonly snapshot: Snapshot | undefined;
  readonly applied: LogIndex;
}

/**
 * Rebuilds a group's view of its durable log. A group never written is bootstrapped with
 * `bootstrap` as its first configuration, stored as a snapshot at index 0 so a restart finds it.
 * Only the entries after the snapshot (those the state machine replays) are loaded; the terms of
 * the rest are read once and kept as term runs, their payloads stay on disk.
 */
export async function loadGroup(
  kv: KvStore,
  logs: RaftLogStore,
  group: GroupId,
  bootstrap: { confState: ConfState; data: Uint8Array } | undefined,
  cache: CacheOptions,
): Promise<LoadedGroup> {
  const state = await logs.load(group);
  const storage = new CachedRaftStorage(cache.budgetBytes, cache.ringBytesMin);
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
  const fromSnapshot = snapshot !== undefined && snapshot.metadata.index > 0 ? snapshot : undefined;
  const applied = fromSnapshot?.metadata.index ?? 0;
  const terms = new TermRuns();
  terms.reset(state.firstIndex - 1, state.prevTerm);
  const tailFrom = Math.max(state.firstIndex, applied + 1) as LogIndex;
  const end = (state.lastIndex + 1) as LogIndex;
  await logs.scanTerms(group, state.firstIndex, tailFrom, (index, term) => terms.append(index, term));
  const tail = await logs.entries(group, tailFrom, end, Number.MAX_SAFE_INTEGER);
  for (const e of tail) terms.append(e.index, e.term);
  if (snapshot !== undefined && fromSnapshot === undefined) storage.bootstrap(snapshot.metadata.confState);
  storage.restore(fromSnapshot, terms, tail, applied);
  storage.setHardState(state.hardState);
  return { storage, snapshot: fromSnapshot, applied: applied as LogIndex };
}
