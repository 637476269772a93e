import { groupId, logIndex, nodeId, term, type GroupId, type NodeId } from '../../lib/index.js';
import type { ConfState, Entry, Message, MessageType, SnapshotChunk } from '../../raft/index.js';
import {
  RaftEntryType,
  RaftMessageType,
  type RaftConfState,
  type RaftEntry,
  type RaftMessage,
  type RaftSnapshotChunk,
} from '../../proto/gen/raftlog/v1/peer_pb.js';
import type { GroupMessage } from './types.js';

/**
 * Raft messages to and from their wire form. Messages are built as plain protobuf-es objects (no
 * `create` walk) and bytes fields are shared, never copied: decoded entry data are views into the
 * received frame. proto3 bytes have no presence, so an empty context arrives as no context; the core
 * treats both alike.
 */
const typeToProto = {
  append: RaftMessageType.APPEND,
  'append-response': RaftMessageType.APPEND_RESPONSE,
  heartbeat: RaftMessageType.HEARTBEAT,
  'heartbeat-response': RaftMessageType.HEARTBEAT_RESPONSE,
  vote: RaftMessageType.VOTE,
  'vote-response': RaftMessageType.VOTE_RESPONSE,
  'pre-vote': RaftMessageType.PRE_VOTE,
  'pre-vote-response': RaftMessageType.PRE_VOTE_RESPONSE,
  snapshot: RaftMessageType.SNAPSHOT,
  'snapshot-response': RaftMessageType.SNAPSHOT_RESPONSE,
  'timeout-now': RaftMessageType.TIMEOUT_NOW,
  'read-index': RaftMessageType.READ_INDEX,
  'read-index-response': RaftMessageType.READ_INDEX_RESPONSE,
  'transfer-leader': RaftMessageType.TRANSFER_LEADER,
} as const satisfies Record<MessageType, RaftMessageType>;

const typeFromProto = new Map<number, MessageType>(
  Object.entries(typeToProto).map(([name, value]) => [value, name as MessageType]),
);

const emptyBytes = new Uint8Array(0);

export function toProtoMessage(group: GroupId, m: Message): RaftMessage {
  return {
    $typeName: 'raftlog.v1.RaftMessage',
    groupId: BigInt(group),
    type: typeToProto[m.type],
    from: m.from,
    to: m.to,
    term: BigInt(m.term),
    logTerm: BigInt(m.logTerm),
    index: BigInt(m.index),
    entries: m.entries.map(entryToProto),
    commit: BigInt(m.commit),
    reject: m.reject,
    rejectHint: BigInt(m.rejectHint),
    snapshot: m.snapshotChunk === undefined ? undefined : chunkToProto(m.snapshotChunk),
    context: m.context ?? emptyBytes,
  };
}

function entryToProto(e: Entry): RaftEntry {
  return {
    $typeName: 'raftlog.v1.RaftEntry',
    term: BigInt(e.term),
    index: BigInt(e.index),
    type: e.type === 'normal' ? RaftEntryType.NORMAL : RaftEntryType.CONF_CHANGE,
    data: e.data,
  };
}

function chunkToProto(c: SnapshotChunk): RaftSnapshotChunk {
  return {
    $typeName: 'raftlog.v1.RaftSnapshotChunk',
    metadata: {
      $typeName: 'raftlog.v1.RaftSnapshotMetadata',
      index: BigInt(c.metadata.index),
      term: BigInt(c.metadata.term),
      confState: confStateToProto(c.metadata.confState),
    },
    offset: BigInt(c.offset),
    totalBytes: BigInt(c.totalBytes),
    data: c.data,
    done: c.done,
  };
}

function confStateToProto(s: ConfState): RaftConfState {
  return {
    $typeName: 'raftlog.v1.RaftConfState',
    voters: [...s.voters],
    votersOutgoing: [...s.votersOutgoing],
    learners: [...s.learners],
    learnersNext: [...s.learnersNext],
    autoLeave: s.autoLeave,
  };
}

/** Thrown only inside this module: wire input never makes `fromProtoMessage` throw. */
class Malformed extends Error {}

/** The message, or undefined when the input is not a valid Raft message. */
export function fromProtoMessage(p: RaftMessage): GroupMessage | undefined {
  try {
    return { groupId: groupId(safe(p.groupId)), message: messageFromProto(p) };
  } catch (error) {
    if (error instanceof Malformed) return undefined;
    throw error;
  }
}

function messageFromProto(p: RaftMessage): Message {
  const type = typeFromProto.get(p.type) ?? malformed('message type');
  const m: Message = {
    type,
    from: node(p.from),
    to: node(p.to),
    term: term(safe(p.term)),
    logTerm: term(safe(p.logTerm)),
    index: logIndex(safe(p.index)),
    entries: p.entries.map(entryFromProto),
    commit: logIndex(safe(p.commit)),
    reject: p.reject,
    rejectHint: logIndex(safe(p.rejectHint)),
  };
  checkEntriesFollow(m);
  const withChunk = p.snapshot === undefined ? m : { ...m, snapshotChunk: chunkFromProto(p.snapshot) };
  return p.context.byteLength === 0 ? withChunk : { ...withChunk, context: p.context };
}

/** Entries continue the message's log position one by one, no newer than its term (as leaders send). */
function checkEntriesFollow(m: Message): void {
  m.entries.forEach((e, i) => {
    if (e.index !== m.index + 1 + i) malformed(`entry ${e.index} where ${m.index + 1 + i} was due`);
    if (e.term > m.term) malformed(`entry term ${e.term} above the message's ${m.term}`);
  });
}

function entryFromProto(p: RaftEntry): Entry {
  const type =
    p.type === RaftEntryType.NORMAL
      ? 'normal'
      : p.type === RaftEntryType.CONF_CHANGE
        ? 'conf-change'
        : malformed('entry type');
  return { term: term(safe(p.term)), index: logIndex(safe(p.index)), type, data: p.data };
}

function chunkFromProto(p: RaftSnapshotChunk): SnapshotChunk {
  const metadata = p.metadata ?? malformed('snapshot metadata');
  const confState = metadata.confState ?? malformed('conf state');
  return {
    metadata: {
      index: logIndex(safe(metadata.index)),
      term: term(safe(metadata.term)),
      confState: {
        voters: confState.voters.map(node),
        votersOutgoing: confState.votersOutgoing.map(node),
        learners: confState.learners.map(node),
        learnersNext: confState.learnersNext.map(node),
        autoLeave: confState.autoLeave,
      },
    },
    offset: safe(p.offset),
    totalBytes: safe(p.totalBytes),
    data: p.data,
    done: p.done,
  };
}

function safe(value: bigint): number {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : malformed('integer beyond 2^53');
}

/** Node ids start at 1: 0 means "nobody" in the core. */
function node(value: number): NodeId {
  return value > 0 ? nodeId(value) : malformed('node id 0');
}

function malformed(what: string): never {
  throw new Malformed(what);
}
