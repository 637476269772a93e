import type { ConfState, Entry, Message } from '../../raft/index.js';

/**
 * An upper bound of a message's encoded size inside a frame, computed without encoding it: every
 * varint is counted at its widest (10 bytes for uint64, 5 for uint32) and every tag at 2 bytes. Frames
 * are packed and queues bounded by this number, so a frame never encodes larger than frameBytesMax.
 */
const u64 = 12;
const u32 = 7;
const flag = 3;
const lengthPrefix = 7; // tag + length varint of a nested message or bytes field

const fixedMessageBytes = lengthPrefix + 7 * u64 + u32 * 3 + flag;
const fixedEntryBytes = lengthPrefix + 2 * u64 + u32 + lengthPrefix;
const fixedChunkBytes = lengthPrefix * 4 + 4 * u64 + flag * 2;

export function messageBytesBound(m: Message): number {
  let bytes = fixedMessageBytes + lengthPrefix + (m.context?.byteLength ?? 0);
  for (const e of m.entries) bytes += entryBytesBound(e);
  const chunk = m.snapshotChunk;
  if (chunk !== undefined) {
    bytes += fixedChunkBytes + chunk.data.byteLength + confStateBytesBound(chunk.metadata.confState);
  }
  return bytes;
}

function entryBytesBound(e: Entry): number {
  return fixedEntryBytes + e.data.byteLength;
}

function confStateBytesBound(s: ConfState): number {
  const ids = s.voters.length + s.votersOutgoing.length + s.learners.length + s.learnersNext.length;
  return 4 * lengthPrefix + ids * 5 + flag;
}

/** The frame's own fields (sequence, node ids) around its messages. */
export const frameOverheadBytes = u64 + 2 * u32;

/** A message's own fields around its entries (an append carries no context). */
export const messageOverheadBytes = fixedMessageBytes + lengthPrefix;

/** What one entry adds to a message on top of its data. */
export const entryOverheadBytes = fixedEntryBytes;

/** A snapshot chunk message's own fields around its data, for a configuration naming `ids` node ids. */
export function snapshotChunkOverheadBytes(ids: number): number {
  return messageOverheadBytes + fixedChunkBytes + 4 * lengthPrefix + ids * 5 + flag;
}
