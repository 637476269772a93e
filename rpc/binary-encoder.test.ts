import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RaftMessageType, RaftRequestSchema } from '../proto/gen/raftlog/v1/peer_pb.js';
import { encodeBinary, encodesDirectly } from './binary-encoder.js';
import { messageInit, schemas } from './test-messages.js';

describe('encodeBinary', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes exactly what toBinary writes, for every message type of proto/gen', () => {
    expect(schemas.length).toBeGreaterThan(100);
    // None of ours uses what the encoder leaves to toBinary (maps, groups, floating point…).
    expect(schemas.filter((s) => !encodesDirectly(s)).map((s) => s.typeName)).toEqual([]);
    for (const schema of schemas) {
      fc.assert(
        fc.property(messageInit(schema, 0), (init) => {
          const message = create(schema, init as never);
          expect(encodeBinary(schema, message)).toEqual(toBinary(schema, message));
        }),
        { numRuns: 40 },
      );
    }
  });

  it('leaves no byte of a large message unwritten (its buffer is not zeroed first)', () => {
    const entry = fc.record({
      term: fc.bigInt({ min: 0n, max: 2n ** 40n }),
      data: fc.uint8Array({ minLength: 1500, maxLength: 6000 }),
    });
    const frame = fc.array(
      fc.record({
        groupId: fc.bigInt({ min: 0n, max: 99n }),
        entries: fc.array(entry, { minLength: 3, maxLength: 5 }),
      }),
      {
        minLength: 1,
        maxLength: 3,
      },
    );
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size) => Buffer.alloc(size, 0xaa));
    fc.assert(
      fc.property(frame, (messages) => {
        const message = create(RaftRequestSchema, { sequence: 1n, messages });
        const encoded = encodeBinary(RaftRequestSchema, message);
        expect(Buffer.compare(encoded, toBinary(RaftRequestSchema, message))).toBe(0);
      }),
      { numRuns: 60, endOnFailure: true },
    );
  });

  it('keeps unknown fields, as toBinary does', () => {
    const withUnknown = fromBinary(RaftRequestSchema, new Uint8Array([0x08, 0x05, 0xf8, 0x07, 0x2a]));
    expect(withUnknown.$unknown?.length).toBe(1);
    expect(encodeBinary(RaftRequestSchema, withUnknown)).toEqual(toBinary(RaftRequestSchema, withUnknown));
  });

  it('encodes a full Raft frame with each entry payload once', () => {
    const data = new Uint8Array(1024).fill(7);
    const frame = create(RaftRequestSchema, {
      sequence: 2n ** 60n,
      fromNodeId: 1,
      toNodeId: 2,
      messages: [0, 1, 2].map((g) => ({
        groupId: BigInt(g),
        type: RaftMessageType.APPEND,
        term: 3n,
        index: 100n,
        entries: [1, 2, 3].map((i) => ({ term: 3n, index: BigInt(100 + i), data })),
      })),
    });
    const bytes = encodeBinary(RaftRequestSchema, frame);
    expect(bytes).toEqual(toBinary(RaftRequestSchema, frame));
    expect(fromBinary(RaftRequestSchema, bytes).messages[2]!.entries[2]!.data).toEqual(data);
  });
});
