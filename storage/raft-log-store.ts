import { CorruptionError, RaftlogError, type GroupId, type LogIndex, type Term } from '../lib/index.js';
import type { Entry, HardState, Snapshot, SnapshotMetadata } from '../raft/log-types.js';
import { firstInRange, KvWriteBatch, withIterator, type KvStore } from './kv/index.js';
import {
  decodeGroupKey,
  decodeRaftEntryKey,
  raftHardStateKeyspace,
  raftSnapshotMetaKeyspace,
  raftEntryKey,
  decodeRaftEntryRunKey,
  raftEntryRange,
  raftEntryRunKey,
  raftEntryRunKeyspace,
  raftEntryRunRange,
  raftHardStateKey,
  raftLogStateKey,
  raftSnapshotDataKey,
  raftSnapshotMetaKey,
} from './keys.js';
import type { EntryFiles } from './entry-files/index.js';
import {
  decodeStoredEntry,
  decodeHardState,
  decodeLogState,
  decodeSnapshotData,
  decodeSnapshotMetadata,
  encodeEntry,
  encodeHardState,
  decodeEntryRun,
  encodeEntryRun,
  encodePlacedEntry,
  encodeLogState,
  encodeSnapshotData,
  encodeSnapshotMetadata,
  storedDataBytes,
  type StoredEntry,
} from './raft-log-codec.js';
import { LogCompactedError, LogUnavailableError } from './raft-log-errors.js';
import { StorageBatch } from './storage-batch.js';

export interface RaftLogState {
  readonly hardState: HardState;
  readonly snapshot: SnapshotMetadata | undefined;
  /** The first stored entry; entries below it are compacted. */
  readonly firstIndex: LogIndex;
  /** The last stored entry, or firstIndex - 1 when the log is empty. */
  readonly lastIndex: LogIndex;
  /** Term of the entry at firstIndex - 1 (the compaction point), 0 at the start of time. */
  readonly prevTerm: Term;
}

/**
 * The term the log holds at the index an operation names, when the caller already knows it (the
 * host mirrors every term in memory): the store then reads nothing. Without it the store reads the
 * entry back, a whole value for one number.
 */
export interface KnownTerm {
  readonly logTerm?: Term;
}

/**
 * Entries a group's state machine still reads, `from` through `through` (a partition's stored batches
 * that are references into their entries, see batch-ref.ts). Compacting or replacing the log keeps
 * them stored below the first index, as an archive Raft no longer sees; `deleteArchived` removes them
 * once nothing references them.
 */
export interface RetainedEntries {
  readonly from: number;
  readonly through: number;
}

interface GroupState {
  readonly firstIndex: number;
  readonly lastIndex: number;
  readonly prevTerm: number;
  readonly snapshotIndex: number;
  readonly version: number;
}

interface StagedGroup {
  state: GroupState;
  readonly baseVersion: number;
  /** Terms of entries appended in this batch, for lookups before it is written. */
  readonly stagedTerms: Map<number, number>;
  /** The segment of the group's latest entry run as this batch leaves it (see `lastRun`). */
  lastRun: number | undefined;
  /** This batch deletes every entry run of the group. */
  runsDeleted: boolean;
}

const emptyHardState: HardState = { term: 0 as Term, vote: 0, commit: 0 as LogIndex };
const entriesHighWaterMarkBytes = 1024 * 1024;

export interface RaftLogStoreOptions {
  /** Where entries with more than `files.inlineBytesMax` of data keep it; without, all stay inline. */
  readonly files?: EntryFiles;
}

/**
 * The Raft logs of every group on a node, over one KvStore. Writes are staged into a StorageBatch so
 * all groups of a ready cycle share one engine write and one fsync. Reads see only committed batches.
 * A group must be loaded (`load`) before its first write, so its bounds are known without reads.
 */
export class RaftLogStore {
  private readonly groups = new Map<number, GroupState>();
  /**
   * Per group, the lowest index that may still be stored below the first index (the archive), or
   * the first index when there is none. Deletes of the archive are idempotent, so this only needs
   * to stay at or below the lowest entry left.
   */
  private readonly archivedFrom = new Map<number, number>();
  private readonly staged = new WeakMap<StorageBatch, Map<number, StagedGroup>>();
  private readonly files: EntryFiles | undefined;
  /**
   * Per group, the segment its latest entry run key names, once this store wrote one: the next entry
   * placed in another segment starts a new run. Unknown after a load, when placing goes to a new
   * segment anyway.
   */
  private readonly lastRun = new Map<number, number>();

  constructor(
    private readonly kv: KvStore,
    options: RaftLogStoreOptions = {},
  ) {
    this.files = options.files;
  }

  /** Reads a group's durable state (an empty log for a group never written) and caches its bounds. */
  async load(group: GroupId): Promise<RaftLogState> {
    const [hsBytes, metaBytes, logBytes] = await this.kv.getMany([
      raftHardStateKey(group),
      raftSnapshotMetaKey(group),
      raftLogStateKey(group),
    ]);
    const hardState = hsBytes === undefined ? emptyHardState : decodeHardState(hsBytes);
    const snapshot = metaBytes === undefined ? undefined : decodeSnapshotMetadata(metaBytes);
    const log = logBytes === undefined ? { firstIndex: 1, prevTerm: 0 } : decodeLogState(logBytes);
    const last = await firstInRange(this.kv, { ...raftEntryRange(group), reverse: true, keysOnly: true });
    // Entries below the first index are the archive (RetainedEntries): the log itself may be empty.
    const lastIndex = Math.max(
      last === undefined ? 0 : decodeRaftEntryKey(last.key).index,
      log.firstIndex - 1,
    );
    const lowest = await firstInRange(this.kv, { ...raftEntryRange(group), keysOnly: true });
    const lowestIndex = lowest === undefined ? log.firstIndex : decodeRaftEntryKey(lowest.key).index;
    this.archivedFrom.set(group, Math.min(lowestIndex, log.firstIndex));
    const durableEnd = Math.max(lastIndex, snapshot?.index ?? 0);
    if (hardState.commit > durableEnd) {
      // Raft only commits entries it holds, so the entries in between were lost on disk (a cut
      // write-ahead log). Starting anyway would spin forever waiting to apply them.
      throw new CorruptionError(
        `group ${group}: the hard state commits index ${hardState.commit} but the log ends at ${durableEnd}: committed entries were lost`,
      );
    }
    const previous = this.groups.get(group);
    this.groups.set(group, {
      firstIndex: log.firstIndex,
      lastIndex,
      prevTerm: log.prevTerm,
      snapshotIndex: snapshot?.index ?? 0,
      version: (previous?.version ?? 0) + 1,
    });
    return {
      hardState,
      snapshot,
      firstIndex: log.firstIndex as LogIndex,
      lastIndex: lastIndex as LogIndex,
      prevTerm: log.prevTerm as Term,
    };
  }

  /** Every group with anything stored on this node, loaded or not, ascending. */
  async storedGroups(): Promise<GroupId[]> {
    const ids = new Set<number>();
    for (const range of [raftHardStateKeyspace(), raftSnapshotMetaKeyspace()]) {
      await withIterator(this.kv, { ...range, keysOnly: true }, async (it) => {
        for (let e = await it.next(); e !== undefined; e = await it.next()) ids.add(decodeGroupKey(e.key));
      });
    }
    return [...ids].sort((a, b) => a - b) as GroupId[];
  }

  /** Bounds of a loaded group, as of the last committed batch. */
  bounds(group: GroupId): { firstIndex: LogIndex; lastIndex: LogIndex } {
    const s = this.state(group);
    return { firstIndex: s.firstIndex as LogIndex, lastIndex: s.lastIndex as LogIndex };
  }

  /** Forgets a group's cached bounds (after it is removed from this node). */
  unload(group: GroupId): void {
    this.groups.delete(group);
    this.archivedFrom.delete(group);
    this.lastRun.delete(group);
  }

  /**
   * Stages, without taking part in the group's version check (so it never conflicts with a ready
   * cycle's batch), point deletes of up to `countMax` archived entries below `below` (and below the
   * first index). Returns whether archived entries below `below` remain after it.
   */
  deleteArchived(batch: StorageBatch, group: GroupId, below: number, countMax: number): boolean {
    batch.assertOpen();
    const s = this.groups.get(group);
    if (s === undefined) return false;
    const from = this.archivedFrom.get(group) ?? s.firstIndex;
    const end = Math.min(below, s.firstIndex);
    if (from >= end) return false;
    const to = Math.min(end - 1, from + countMax - 1);
    for (let i = from; i <= to; i++) batch.kv.del(raftEntryKey(group, i));
    batch.afterWrite(() => {
      const now = this.archivedFrom.get(group);
      if (now !== undefined) this.archivedFrom.set(group, Math.max(now, to + 1));
    });
    return to + 1 < end;
  }

  /** The lowest index that may still be stored for a loaded group (archive included). */
  lowestStored(group: GroupId): number {
    return this.archivedFrom.get(group) ?? this.state(group).firstIndex;
  }

  /**
   * Stages entries. A suffix that conflicts with them (every stored index above the last new one)
   * is deleted; entries at or below the compaction point are already committed and are skipped.
   */
  appendEntries(batch: StorageBatch, group: GroupId, entries: readonly Entry[]): void {
    const first = entries[0];
    if (first === undefined) return;
    checkContiguous(group, entries);
    const g = this.stage(batch, group);
    if (first.index > g.state.lastIndex + 1) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `group ${group}: append at ${first.index} leaves a gap after the last entry ${g.state.lastIndex}`,
      );
    }
    const last = entries[entries.length - 1]!;
    const kept = entries.filter((e) => e.index >= g.state.firstIndex);
    if (kept.length === 0) return;
    for (const e of kept) {
      const key = raftEntryKey(group, e.index);
      batch.kv.put(key, this.encode(batch, g, group, e, key));
      g.stagedTerms.set(e.index, e.term);
    }
    if (last.index < g.state.lastIndex) {
      deleteEntries(batch, group, last.index + 1, g.state.lastIndex);
      for (const i of g.stagedTerms.keys()) if (i > last.index) g.stagedTerms.delete(i);
    }
    g.state = { ...g.state, lastIndex: last.index };
  }

  setHardState(batch: StorageBatch, group: GroupId, hardState: HardState): void {
    this.stage(batch, group);
    batch.kv.put(raftHardStateKey(group), encodeHardState(hardState));
  }

  /**
   * Stages a snapshot. If the log holds the snapshot's last entry with the same term, the log is
   * kept (compact it separately with `compactPrefix`); otherwise the whole log is discarded and
   * restarts after the snapshot (Raft's InstallSnapshot rule).
   */
  async setSnapshot(
    batch: StorageBatch,
    group: GroupId,
    snapshot: Snapshot,
    known: KnownTerm = {},
    retained?: RetainedEntries,
  ): Promise<void> {
    const g = this.stage(batch, group);
    const { index, term } = snapshot.metadata;
    if (index < g.state.snapshotIndex) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `group ${group}: snapshot at ${index} is older than ${g.state.snapshotIndex}`,
      );
    }
    const agrees =
      index >= g.state.firstIndex - 1 &&
      index <= g.state.lastIndex &&
      (known.logTerm ?? (await this.stagedTerm(g, group, index))) === term;
    batch.assertOpen();
    if (!agrees) {
      this.discardLog(batch, group, g.state, index + 1, retained);
      g.stagedTerms.clear();
      g.state = { ...g.state, firstIndex: index + 1, lastIndex: index, prevTerm: term };
      batch.kv.put(
        raftLogStateKey(group),
        encodeLogState({ firstIndex: (index + 1) as LogIndex, prevTerm: term }),
      );
    }
    g.state = { ...g.state, snapshotIndex: index };
    batch.kv.put(raftSnapshotMetaKey(group), encodeSnapshotMetadata(snapshot.metadata));
    batch.kv.put(raftSnapshotDataKey(group), encodeSnapshotData(snapshot.data));
  }

  /**
   * Stages the deletion of every entry up to and including `index`. The caller compacts only what is
   * applied and durable elsewhere (a snapshot or the state machine's own keys).
   */
  async compactPrefix(
    batch: StorageBatch,
    group: GroupId,
    index: LogIndex,
    known: KnownTerm = {},
    retained?: RetainedEntries,
  ): Promise<void> {
    const g = this.stage(batch, group);
    if (index < g.state.firstIndex) return;
    if (index > g.state.lastIndex) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `group ${group}: cannot compact to ${index} beyond the last entry ${g.state.lastIndex}`,
      );
    }
    const prevTerm = known.logTerm ?? (await this.stagedTerm(g, group, index));
    batch.assertOpen();
    const first = g.state.firstIndex;
    const keepFrom = Math.max(first, retained === undefined ? index + 1 : Math.min(index + 1, retained.from));
    deleteEntries(batch, group, first, keepFrom - 1);
    this.archiveFrom(batch, group, first, keepFrom);
    for (const i of g.stagedTerms.keys()) if (i <= index) g.stagedTerms.delete(i);
    g.state = { ...g.state, firstIndex: index + 1, prevTerm };
    batch.kv.put(
      raftLogStateKey(group),
      encodeLogState({ firstIndex: (index + 1) as LogIndex, prevTerm: prevTerm as Term }),
    );
  }

  /** Term of the entry at `index` (or of the compaction point just below the first entry). */
  async term(group: GroupId, index: LogIndex): Promise<Term> {
    const s = this.state(group);
    if (index === s.firstIndex - 1) return s.prevTerm as Term;
    if (index < s.firstIndex) throw new LogCompactedError(group, index, s.firstIndex);
    if (index > s.lastIndex) throw new LogUnavailableError(group, index, s.lastIndex);
    const key = raftEntryKey(group, index);
    const bytes = await this.kv.get(key);
    if (bytes === undefined) throw new CorruptionError(`group ${group}: entry ${index} is missing`);
    return decodeStoredEntry(bytes, index, key).term;
  }

  /**
   * Entries in [lo, hi), stopping once their encoded size would pass `bytesMax` — but always at
   * least one, so a single large entry cannot stall replication.
   */
  async entries(group: GroupId, lo: LogIndex, hi: LogIndex, bytesMax: number): Promise<Entry[]> {
    const s = this.state(group);
    if (lo < s.firstIndex) throw new LogCompactedError(group, lo, s.firstIndex);
    if (hi > s.lastIndex + 1) throw new LogUnavailableError(group, hi - 1, s.lastIndex);
    if (lo >= hi) return [];
    return this.reading(async () => this.withData(await this.storedEntries(group, lo, hi, bytesMax)));
  }

  /**
   * Reads stored entries and then the data of those whose data is in the entry files, the whole of
   * it guarded so no segment it reads is removed meanwhile.
   */
  private reading<T>(work: () => Promise<T>): Promise<T> {
    return this.files === undefined ? work() : this.files.reading(work);
  }

  private async storedEntries(
    group: GroupId,
    lo: LogIndex,
    hi: LogIndex,
    bytesMax: number,
  ): Promise<StoredEntry[]> {
    const range = {
      gte: raftEntryKey(group, lo),
      lt: raftEntryKey(group, hi),
      highWaterMarkBytes: Math.min(bytesMax, entriesHighWaterMarkBytes),
    };
    return withIterator(this.kv, range, async (it) => {
      const out: StoredEntry[] = [];
      let bytes = 0;
      for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
        const index = (lo + out.length) as LogIndex;
        if (decodeRaftEntryKey(kv.key).index !== index)
          throw new CorruptionError(`group ${group}: entry ${index} is missing`);
        const e = decodeStoredEntry(kv.value, index, kv.key);
        bytes += storedDataBytes(e);
        if (out.length > 0 && bytes > bytesMax) break;
        out.push(e);
      }
      if (out.length === 0 || (out.length < hi - lo && bytes <= bytesMax)) {
        throw new CorruptionError(`group ${group}: entry ${lo + out.length} is missing`);
      }
      return out;
    });
  }

  /** Entries with their data, read from the entry files where it is there. */
  private async withData(stored: readonly StoredEntry[]): Promise<Entry[]> {
    const placed = stored.flatMap((e) => (e.placement === undefined ? [] : [e.placement]));
    const data = placed.length === 0 || this.files === undefined ? [] : await this.files.read(placed);
    if (data.length < placed.length)
      throw new CorruptionError(
        `entry ${stored[0]?.index ?? 0}: its data is in entry files this store has not opened`,
      );
    let next = 0;
    return stored.map((e) => ({
      term: e.term,
      index: e.index,
      type: e.type,
      data: e.placement === undefined ? (e.data as Uint8Array) : (data[next++] as Uint8Array),
    }));
  }

  /**
   * How an entry is stored: inline, or placed in the entry files. The first entry of a group placed
   * in a segment also writes an entry run key, (group, segment) → its index, in the same batch.
   */
  private encode(batch: StorageBatch, g: StagedGroup, group: GroupId, e: Entry, key: Uint8Array): Uint8Array {
    if (this.files === undefined || e.data.byteLength <= this.files.inlineBytesMax)
      return encodeEntry(e, key);
    const placement = this.files.place(batch, e.data);
    const last = g.runsDeleted ? g.lastRun : (g.lastRun ?? this.lastRun.get(group));
    if (last !== placement.segment) {
      const runKey = raftEntryRunKey(group, placement.segment);
      batch.kv.put(runKey, encodeEntryRun(e.index, runKey));
      g.lastRun = placement.segment;
    }
    return encodePlacedEntry(e, key, placement);
  }

  /**
   * Removes the entry-file segments no stored entry lies in any more, then the run keys of the
   * segments removed. The deletions the scan saw may be unsynced (log compaction in a cycle without
   * new entries, the archive purge): a synced write makes them durable before any file goes, or a
   * crash could bring back entries whose data was removed.
   */
  async collectEntryFiles(): Promise<number[]> {
    if (this.files === undefined) return [];
    const removed = await this.files.collect(async () => {
      const lowest = await this.lowestLiveSegment();
      await this.kv.write(new KvWriteBatch(), { sync: true });
      return lowest;
    });
    const last = removed[removed.length - 1];
    if (last !== undefined) await this.deleteRunsBelow(last + 1);
    return removed;
  }

  /**
   * The lowest segment a stored entry may lie in, from the entry runs (one key per group and segment
   * it placed data in) and one seek per group for its lowest stored index L. A group's runs, by
   * segment, are in the order they were written; a run that a later run follows with a first index
   * at or below L holds only entries below L (deleted) or entries a conflicting append replaced
   * (garbage), so the group's data lies in the last run starting at or below L and the runs after it,
   * or in all of them when none starts at or below L. A group without stored entries holds none.
   */
  private async lowestLiveSegment(): Promise<number> {
    const runs = new Map<number, { segment: number; first: number }[]>();
    await withIterator(this.kv, raftEntryRunKeyspace(), async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        const { group, segment } = decodeRaftEntryRunKey(e.key);
        let list = runs.get(group);
        if (list === undefined) runs.set(group, (list = []));
        list.push({ segment, first: decodeEntryRun(e.value, e.key) });
      }
    });
    let lowest = Number.MAX_SAFE_INTEGER;
    for (const [group, list] of runs) {
      const first = await firstInRange(this.kv, { ...raftEntryRange(group), keysOnly: true });
      if (first === undefined) continue;
      const lowestStored = decodeRaftEntryKey(first.key).index;
      let live = 0;
      list.forEach((run, i) => {
        if (run.first <= lowestStored) live = i;
      });
      lowest = Math.min(lowest, list[live]!.segment);
    }
    return lowest;
  }

  /** Deletes the run keys of removed segments (every group's; one unsynced write, read once). */
  private async deleteRunsBelow(segment: number): Promise<void> {
    const batch = new StorageBatch();
    await withIterator(this.kv, { ...raftEntryRunKeyspace(), keysOnly: true }, async (it) => {
      for (let e = await it.next(); e !== undefined; e = await it.next()) {
        if (decodeRaftEntryRunKey(e.key).segment < segment) batch.kv.del(e.key);
      }
    });
    if (!batch.isEmpty) await batch.commit(this.kv, { sync: false });
  }

  /**
   * Calls `visit` with the index and term of every entry in [lo, hi), in order, reading (and
   * checking) each stored value but keeping none: how a restarted group learns the terms of the log
   * it does not load.
   */
  async scanTerms(
    group: GroupId,
    lo: LogIndex,
    hi: LogIndex,
    visit: (index: LogIndex, term: Term) => void,
  ): Promise<void> {
    const s = this.state(group);
    if (lo < s.firstIndex) throw new LogCompactedError(group, lo, s.firstIndex);
    if (hi > s.lastIndex + 1) throw new LogUnavailableError(group, hi - 1, s.lastIndex);
    if (lo >= hi) return;
    const range = {
      gte: raftEntryKey(group, lo),
      lt: raftEntryKey(group, hi),
      highWaterMarkBytes: entriesHighWaterMarkBytes,
    };
    let next: number = lo;
    await withIterator(this.kv, range, async (it) => {
      for (let kv = await it.next(); kv !== undefined; kv = await it.next()) {
        if (decodeRaftEntryKey(kv.key).index !== next)
          throw new CorruptionError(`group ${group}: entry ${next} is missing`);
        visit(next as LogIndex, decodeStoredEntry(kv.value, next as LogIndex, kv.key).term);
        next++;
      }
    });
    if (next !== hi) throw new CorruptionError(`group ${group}: entry ${next} is missing`);
  }

  async snapshot(group: GroupId): Promise<Snapshot | undefined> {
    const [meta, data] = await this.kv.getMany([raftSnapshotMetaKey(group), raftSnapshotDataKey(group)]);
    if (meta === undefined) return undefined;
    if (data === undefined) throw new CorruptionError(`group ${group}: snapshot data is missing`);
    return { metadata: decodeSnapshotMetadata(meta), data: decodeSnapshotData(data) };
  }

  /**
   * Stages the removal of everything stored for a group. With `keepVote`, the term and vote stay
   * (commit reset to 0): if the group comes back to this node later, it can never vote twice in a
   * term it already voted in, though its log starts empty.
   */
  deleteGroup(batch: StorageBatch, group: GroupId, keepVote?: HardState): void {
    const g = this.stage(batch, group);
    const range = raftEntryRange(group);
    batch.kv.delRange(range.gte, range.lt);
    const runs = raftEntryRunRange(group);
    batch.kv.delRange(runs.gte, runs.lt);
    g.lastRun = undefined;
    g.runsDeleted = true;
    batch.afterWrite(() => this.archivedFrom.set(group, 1));
    for (const key of [
      raftHardStateKey(group),
      raftSnapshotMetaKey(group),
      raftSnapshotDataKey(group),
      raftLogStateKey(group),
    ]) {
      batch.kv.del(key);
    }
    if (keepVote !== undefined) {
      const kept = { term: keepVote.term, vote: keepVote.vote, commit: 0 as LogIndex };
      batch.kv.put(raftHardStateKey(group), encodeHardState(kept));
    }
    g.stagedTerms.clear();
    g.state = { ...g.state, firstIndex: 1, lastIndex: 0, prevTerm: 0, snapshotIndex: 0 };
  }

  private state(group: GroupId): GroupState {
    const s = this.groups.get(group);
    if (s === undefined) throw new RaftlogError('INTERNAL', `raft group ${group} is not loaded`);
    return s;
  }

  /**
   * Deletes the whole log for a snapshot that replaces it, but for the entries `retained` names (the
   * archive below the first index stays too: `deleteArchived` removes it when nothing reads it).
   * Without `retained` everything stored for the group goes, archive included.
   */
  private discardLog(
    batch: StorageBatch,
    group: GroupId,
    s: GroupState,
    newFirst: number,
    retained: RetainedEntries | undefined,
  ): void {
    if (retained === undefined) {
      const range = raftEntryRange(group);
      batch.kv.delRange(range.gte, range.lt);
      batch.afterWrite(() => this.archivedFrom.set(group, newFirst));
      return;
    }
    const keepLo = Math.max(s.firstIndex, retained.from);
    const keepHi = Math.min(s.lastIndex, retained.through);
    if (keepLo > keepHi) {
      deleteEntries(batch, group, s.firstIndex, s.lastIndex);
      this.archiveFrom(batch, group, s.firstIndex, newFirst);
      return;
    }
    deleteEntries(batch, group, s.firstIndex, keepLo - 1);
    deleteEntries(batch, group, keepHi + 1, s.lastIndex);
    this.archiveFrom(batch, group, s.firstIndex, keepLo);
  }

  /**
   * After a write that deleted the log from `first` up to `keepFrom` and left the rest below the new
   * first index stored: the archive starts at `keepFrom` unless an older part of it is still there.
   */
  private archiveFrom(batch: StorageBatch, group: GroupId, first: number, keepFrom: number): void {
    batch.afterWrite(() => {
      const now = this.archivedFrom.get(group) ?? first;
      if (now >= first) this.archivedFrom.set(group, keepFrom);
    });
  }

  private async stagedTerm(g: StagedGroup, group: GroupId, index: number): Promise<number> {
    const staged = g.stagedTerms.get(index);
    if (staged !== undefined) return staged;
    if (index === g.state.firstIndex - 1) return g.state.prevTerm;
    return this.term(group, index as LogIndex);
  }

  /** The group's state as this batch will leave it, registered for the check and cache update. */
  private stage(batch: StorageBatch, group: GroupId): StagedGroup {
    batch.assertOpen();
    let groups = this.staged.get(batch);
    if (groups === undefined) {
      groups = new Map();
      this.staged.set(batch, groups);
      const staged = groups;
      batch.beforeWrite(() => {
        for (const [id, g] of staged) {
          if (this.groups.get(id)?.version !== g.baseVersion) {
            throw new RaftlogError('INTERNAL', `raft group ${id} changed while this batch was built`);
          }
        }
      });
      batch.afterWrite(() => {
        for (const [id, g] of staged) {
          this.groups.set(id, { ...g.state, version: g.baseVersion + 1 });
          if (g.runsDeleted) this.lastRun.delete(id);
          if (g.lastRun !== undefined) this.lastRun.set(id, g.lastRun);
        }
      });
    }
    let g = groups.get(group);
    if (g === undefined) {
      const base = this.state(group);
      g = {
        state: base,
        baseVersion: base.version,
        stagedTerms: new Map(),
        lastRun: undefined,
        runsDeleted: false,
      };
      groups.set(group, g);
    }
    return g;
  }
}

/**
 * Above this many entries a deletion is staged as a range; below it as point deletes. A range makes
 * the RocksDB adapter read the keys first (the binding has no DeleteRange), and the engine reads
 * whole data blocks, values included, to list them: compacting 8 MiB of log read 8 MiB back inside
 * the ready cycle's write. Point deletes name keys computed from indexes and read nothing.
 */
const entryPointDeletesMax = 65_536;

/** Stages the deletion of the entries `from..to` (inclusive). */
function deleteEntries(batch: StorageBatch, group: GroupId, from: number, to: number): void {
  if (to < from) return;
  if (to - from + 1 > entryPointDeletesMax) {
    batch.kv.delRange(raftEntryKey(group, from), raftEntryKey(group, to + 1));
    return;
  }
  for (let i = from; i <= to; i++) batch.kv.del(raftEntryKey(group, i));
}

function checkContiguous(group: GroupId, entries: readonly Entry[]): void {
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1]!;
    const e = entries[i]!;
    if (e.index !== prev.index + 1 || e.term < prev.term) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `group ${group}: entries must have consecutive indexes and non-decreasing terms (at ${e.index})`,
      );
    }
  }
}
