import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { GroupId, LogIndex, NodeId, Term } from '../../lib/index.js';
import type { ConfState, Entry, Message, MessageType, SnapshotChunk } from '../../raft/index.js';
import {
  RaftMessageSchema,
  RaftMessageType,
  RaftRequestSchema,
  RaftSnapshotChunkSchema,
} from '../../proto/gen/raftlog/v1/peer_pb.js';
import { fromProtoMessage, toProtoMessage } from './message-codec.js';
import { frameOverheadBytes, messageBytesBound } from './message-size.js';

const messageTypes: MessageType[] = [
  'append',
  'append-response',
  'heartbeat',
  'heartbeat-response',
  'vote',
  'vote-response',
  'pre-vote',
  'pre-vote-response',
  'snapshot',
  'snapshot-response',
  'timeout-now',
  'read-index',
  'read-index-response',
  'transfer-leader',
];

const safeNat = fc.nat({ max: Number.MAX_SAFE_INTEGER });
const node = fc.integer({ min: 1, max: 2 ** 32 - 1 }).map((n) => n as NodeId);
const bytes = fc.uint8Array({ maxLength: 48 });
const entry: fc.Arbitrary<Entry> = fc.record({
  term: safeNat.map((n) => n as Term),
  index: safeNat.map((n) => n as LogIndex),
  type: fc.constantFrom('normal' as const, 'conf-change' as const),
  data: bytes,
});
const confState: fc.Arbitrary<ConfState> = fc.record({
  voters: fc.array(node, { maxLength: 5 }),
  votersOutgoing: fc.array(node, { maxLength: 5 }),
  learners: fc.array(node, { maxLength: 3 }),
  learnersNext: fc.array(node, { maxLength: 3 }),
  autoLeave: fc.boolean(),
});
const chunk: fc.Arbitrary<SnapshotChunk> = fc.record({
  metadata: fc.record({
    index: safeNat.map((n) => n as LogIndex),
    term: safeNat.map((n) => n as Term),
    confState,
  }),
  offset: safeNat,
  totalBytes: safeNat,
  data: bytes,
  done: fc.boolean(),
});

function messageOf(type: MessageType): fc.Arbitrary<Message> {
  return fc
    .record(
      {
        type: fc.constant(type),
        from: node,
        to: node,
        term: safeNat.map((n) => n as Term),
        logTerm: safeNat.map((n) => n as Term),
        index: safeNat.map((n) => n as LogIndex),
        entries: fc.array(entry, { maxLength: 4 }),
        commit: safeNat.map((n) => n as LogIndex),
        reject: fc.boolean(),
        rejectHint: safeNat.map((n) => n as LogIndex),
        snapshotChunk: chunk,
        context: fc.uint8Array({ minLength: 1, maxLength: 16 }),
      },
      {
        requiredKeys: [
          'type',
          'from',
          'to',
          'term',
          'logTerm',
          'index',
          'entries',
          'commit',
          'reject',
          'rejectHint',
        ],
      },
    )
    .map(entriesFollowing);
}

/** As leaders send them: numbered on from the message's index, no newer than its term. */
function entriesFollowing(m: Message): Message {
  if (m.index + m.entries.length > Number.MAX_SAFE_INTEGER) return { ...m, entries: [] };
  const entries = m.entries.map((e, i) => ({
    ...e,
    index: (m.index + 1 + i) as LogIndex,
    term: Math.min(e.term, m.term) as Term,
  }));
  return { ...m, entries };
}

const anyMessage = fc.constantFrom(...messageTypes).chain(messageOf);
const group = safeNat.map((n) => n as GroupId);

function throughTheWire(g: GroupId, m: Message) {
  const encoded = toBinary(RaftMessageSchema, toProtoMessage(g, m));
  return fromProtoMessage(fromBinary(RaftMessageSchema, encoded));
}

describe('raft message conversion', () => {
  it.each(messageTypes)('round-trips every field of %s exactly', (type) => {
    fc.assert(
      fc.property(group, messageOf(type), (g, m) => {
        const back = throughTheWire(g, m);
        expect(back).toEqual({ groupId: g, message: m });
        expect(Object.keys(back!.message).sort()).toEqual(Object.keys(m).sort());
      }),
      { numRuns: 60 },
    );
  });

  it('never encodes a message larger than its size bound', () => {
    fc.assert(
      fc.property(group, anyMessage, (g, m) => {
        const frame = create(RaftRequestSchema, {
          sequence: 2n ** 64n - 1n,
          fromNodeId: 2 ** 32 - 1,
          toNodeId: 2 ** 32 - 1,
          messages: [toProtoMessage(g, m)],
        });
        expect(toBinary(RaftRequestSchema, frame).byteLength).toBeLessThanOrEqual(
          messageBytesBound(m) + frameOverheadBytes,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('shares entry and snapshot bytes instead of copying them', () => {
    const data = new Uint8Array([1, 2, 3]);
    const m = fc.sample(messageOf('snapshot'), { numRuns: 1, seed: 7 })[0]!;
    const withData = {
      ...m,
      term: 1 as Term,
      index: 1 as LogIndex,
      entries: [{ term: 1 as Term, index: 2 as LogIndex, type: 'normal' as const, data }],
    };
    const p = toProtoMessage(3 as GroupId, { ...withData, snapshotChunk: { ...m.snapshotChunk!, data } });
    expect(p.entries[0]!.data).toBe(data);
    expect(p.snapshot!.data).toBe(data);
    const frame = toBinary(RaftMessageSchema, p);
    const back = fromProtoMessage(fromBinary(RaftMessageSchema, frame))!;
    expect(back.message.entries[0]!.data.buffer).toBe(frame.buffer);
  });

  it('reads an empty context as no context', () => {
    const m = fc.sample(messageOf('heartbeat'), { numRuns: 1, seed: 3 })[0]!;
    expect(
      throughTheWire(1 as GroupId, { ...m, context: new Uint8Array(0) })?.message.context,
    ).toBeUndefined();
  });

  it('answers undefined for malformed input instead of throwing', () => {
    const sample = fc.sample(messageOf('append'), { numRuns: 1, seed: 1 })[0]!;
    const entry = { term: 2 as Term, index: 6 as LogIndex, type: 'normal' as const, data: new Uint8Array(1) };
    const valid = toProtoMessage(1 as GroupId, {
      ...sample,
      term: 3 as Term,
      index: 5 as LogIndex,
      entries: [entry],
    });
    expect(fromProtoMessage(valid)).toBeDefined();
    const broken = [
      { ...valid, type: RaftMessageType.UNSPECIFIED },
      { ...valid, type: 99 as RaftMessageType },
      { ...valid, from: 0 },
      { ...valid, to: 0 },
      { ...valid, term: 2n ** 60n },
      { ...valid, groupId: 2n ** 63n },
      {
        ...valid,
        entries: [{ ...valid.entries[0]!, ...{ $typeName: 'raftlog.v1.RaftEntry' as const }, type: 0 }],
      },
      // Entries that do not continue the message's position, or are newer than its term, would
      // rewrite a follower's log below its commit.
      { ...valid, index: 6n },
      { ...valid, entries: [...valid.entries, valid.entries[0]!] },
      { ...valid, term: 1n },
      { ...valid, snapshot: create(RaftSnapshotChunkSchema, { data: new Uint8Array(2) }) },
      { ...valid, snapshot: create(RaftSnapshotChunkSchema, { metadata: {} }) },
    ];
    for (const p of broken) expect(fromProtoMessage(p)).toBeUndefined();
  });

  it('never throws on arbitrary wire messages', () => {
    const wire = fc.record({
      groupId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      type: fc.integer({ min: -1, max: 20 }),
      from: fc.nat(),
      to: fc.nat(),
      term: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      withSnapshot: fc.boolean(),
      withMetadata: fc.boolean(),
    });
    fc.assert(
      fc.property(wire, (w) => {
        const p = create(RaftMessageSchema, {
          groupId: w.groupId,
          type: w.type,
          from: w.from,
          to: w.to,
          term: w.term,
          entries: [{ type: w.type % 3 }],
          ...(w.withSnapshot ? { snapshot: w.withMetadata ? { metadata: {} } : {} } : {}),
        });
        expect(() =>
          fromProtoMessage(fromBinary(RaftMessageSchema, toBinary(RaftMessageSchema, p))),
        ).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
