import type { LogIndex, NodeId, Term } from '../lib/index.js';
import type { ConfState, Entry, EntryType, HardState, SnapshotMetadata } from '../raft/log-types.js';
import type { Placement } from './entry-files/placement.js';
import { ValueReader as Reader, ValueWriter as Writer } from './value-codec.js';

const entryTypes: readonly EntryType[] = ['normal', 'conf-change'];

/**
 * The first payload byte of an entry value is its type (0, 1), flagged when the data is not inline
 * but placed in the entry files.
 */
const placed = 0x80;

/** An entry as stored: its data inline, or where it lies in the entry files. */
export interface StoredEntry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly type: EntryType;
  readonly data: Uint8Array | undefined;
  readonly placement: Placement | undefined;
}

/** An entry whose data lives in the entry files at `p`. */
export function encodePlacedEntry(e: Entry, key: Uint8Array, p: Placement): Uint8Array {
  return new Writer(1 + 8 + 8 + 8 + 4 + 4, key)
    .u8(placed | entryTypes.indexOf(e.type))
    .u64(e.term)
    .u64(p.segment)
    .u64(p.offset)
    .u32(p.length)
    .u32(p.crc)
    .finish();
}

/** `index` comes from `key`; inline data is a view into `bytes`. */
export function decodeStoredEntry(bytes: Uint8Array, index: LogIndex, key: Uint8Array): StoredEntry {
  const r = new Reader(bytes, `raft entry ${index}`, key);
  const first = r.u8();
  const type = entryTypes[first & ~placed];
  if (type === undefined) throw r.corrupt('unknown entry type');
  const term = r.u64() as Term;
  if ((first & placed) === 0) return { term, index, type, data: r.rest(), placement: undefined };
  const placement = { segment: r.u64(), offset: r.u64(), length: r.u32(), crc: r.u32() };
  r.done();
  return { term, index, type, data: undefined, placement };
}

/** Where a group's run of entries placed in a segment begins (the first index placed there). */
export function encodeEntryRun(firstIndex: number, key: Uint8Array): Uint8Array {
  return new Writer(8, key).u64(firstIndex).finish();
}

export function decodeEntryRun(bytes: Uint8Array, key: Uint8Array): number {
  const r = new Reader(bytes, 'raft entry run', key);
  const first = r.u64();
  r.done();
  return first;
}

/** The payload bytes of a stored entry, wherever they live. */
export function storedDataBytes(e: StoredEntry): number {
  return e.placement?.length ?? e.data?.byteLength ?? 0;
}

/** `key` is the entry's key: its checksum covers it, so the entry cannot be read under another index. */
export function encodeEntry(e: Entry, key: Uint8Array): Uint8Array {
  return new Writer(1 + 8 + e.data.length, key)
    .u8(entryTypes.indexOf(e.type))
    .u64(e.term)
    .raw(e.data)
    .finish();
}

export function encodeHardState(hs: HardState): Uint8Array {
  return new Writer(24).u64(hs.term).u64(hs.vote).u64(hs.commit).finish();
}

export function decodeHardState(bytes: Uint8Array): HardState {
  const r = new Reader(bytes, 'hard state');
  const hs = { term: r.u64() as Term, vote: r.u64() as NodeId | 0, commit: r.u64() as LogIndex };
  r.done();
  return hs;
}

function confStateBytes(cs: ConfState): number {
  return (
    1 +
    4 * 4 +
    8 * (cs.voters.length + cs.votersOutgoing.length + cs.learners.length + cs.learnersNext.length)
  );
}

export function encodeSnapshotMetadata(m: SnapshotMetadata): Uint8Array {
  const cs = m.confState;
  return new Writer(16 + confStateBytes(cs))
    .u64(m.index)
    .u64(m.term)
    .u8(cs.autoLeave ? 1 : 0)
    .ids(cs.voters)
    .ids(cs.votersOutgoing)
    .ids(cs.learners)
    .ids(cs.learnersNext)
    .finish();
}

export function decodeSnapshotMetadata(bytes: Uint8Array): SnapshotMetadata {
  const r = new Reader(bytes, 'snapshot metadata');
  const index = r.u64() as LogIndex;
  const term = r.u64() as Term;
  const autoLeave = r.u8();
  if (autoLeave > 1) throw r.corrupt('autoLeave is not a boolean');
  const ids = () => r.ids() as NodeId[];
  const confState: ConfState = {
    autoLeave: autoLeave === 1,
    voters: ids(),
    votersOutgoing: ids(),
    learners: ids(),
    learnersNext: ids(),
  };
  r.done();
  return { index, term, confState };
}

export function encodeSnapshotData(data: Uint8Array): Uint8Array {
  return new Writer(data.length).raw(data).finish();
}

export function decodeSnapshotData(bytes: Uint8Array): Uint8Array {
  return new Reader(bytes, 'snapshot data').rest();
}

/** Where the log starts after compaction, and the term of the entry just before it. */
export interface LogState {
  readonly firstIndex: LogIndex;
  readonly prevTerm: Term;
}

export function encodeLogState(s: LogState): Uint8Array {
  return new Writer(16).u64(s.firstIndex).u64(s.prevTerm).finish();
}

export function decodeLogState(bytes: Uint8Array): LogState {
  const r = new Reader(bytes, 'log state');
  const s = { firstIndex: r.u64() as LogIndex, prevTerm: r.u64() as Term };
  r.done();
  if (s.firstIndex < 1) throw r.corrupt('firstIndex below 1');
  return s;
}
