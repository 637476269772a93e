import { create, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { ListValueSchema, StructSchema, ValueSchema } from '@bufbuild/protobuf/wkt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProduceRequestSchema } from '../proto/gen/raftlog/v1/broker_pb.js';
import { RaftMessageType, RaftRequestSchema, RaftResponseSchema } from '../proto/gen/raftlog/v1/peer_pb.js';
import { decodeBinary, decodeDirectly, decodesDirectly } from './binary-decoder.js';
import { messageInit, schemas } from './test-messages.js';

/** What `fromBinary` makes of the bytes: its message, or the error it throws. */
function reference(schema: DescMessage, bytes: Uint8Array): { message: unknown } | { error: unknown } {
  try {
    return { message: fromBinary(schema, bytes) };
  } catch (error) {
    return { error };
  }
}

function expectSameAsFromBinary(schema: DescMessage, bytes: Uint8Array): void {
  const expected = reference(schema, bytes);
  if ('error' in expected) expect(() => decodeBinary(schema, bytes)).toThrow(expected.error);
  else expect(decodeBinary(schema, bytes)).toStrictEqual(expected.message);
}

/** A random message of `schema`, encoded as toBinary writes it (in a Buffer, as grpc-js hands it over). */
function encoded(schema: DescMessage): fc.Arbitrary<Buffer> {
  return messageInit(schema, 0).map((init) => Buffer.from(toBinary(schema, create(schema, init as never))));
}

/** The bytes changed the ways a hostile or broken peer might: flipped, cut, spliced, extended. */
function damaged(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: Math.max(0, bytes.byteLength - 1) });
  return fc.oneof(
    fc.tuple(at, fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
      const copy = Uint8Array.from(bytes);
      if (copy.byteLength > 0) copy[i] = copy[i]! ^ x;
      return copy;
    }),
    at.map((n) => bytes.subarray(0, n)),
    fc.uint8Array({ maxLength: 12 }).map((tail) => Uint8Array.from([...bytes, ...tail])),
    fc
      .tuple(at, fc.uint8Array({ minLength: 1, maxLength: 6 }))
      .map(([i, mid]) => Uint8Array.from([...bytes.subarray(0, i), ...mid, ...bytes.subarray(i)])),
  );
}

describe('decodeBinary', () => {
  it('decodes every message type of proto/gen itself, to exactly what fromBinary makes', () => {
    expect(schemas.filter((s) => !decodesDirectly(s)).map((s) => s.typeName)).toEqual([]);
    for (const schema of schemas) {
      fc.assert(
        fc.property(encoded(schema), (bytes) => {
          const direct = decodeDirectly(schema, bytes);
          expect(direct).toBeDefined();
          expect(direct).toStrictEqual(fromBinary(schema, bytes));
        }),
        { numRuns: 30 },
      );
    }
  });

  it('gives what fromBinary gives, message or error, for damaged input of every type', () => {
    for (const schema of schemas) {
      fc.assert(
        fc.property(
          encoded(schema).chain((bytes) => damaged(bytes)),
          (bytes) => expectSameAsFromBinary(schema, bytes),
        ),
        { numRuns: 30 },
      );
    }
  });

  it('leaves input toBinary would not write to fromBinary: unknown fields, merges, unpacked lists', () => {
    const cases: [DescMessage, number[]][] = [
      // An unknown field (number 127, varint) after sequence = 5: kept in $unknown.
      [RaftRequestSchema, [0x08, 0x05, 0xf8, 0x07, 0x2a]],
      // The same singular message twice: the second merges into the first.
      [RaftRequestSchema, [0x22, 0x02, 0x10, 0x01, 0x22, 0x02, 0x18, 0x02]],
      // A scalar twice: the last one wins (decoded directly, the same way).
      [RaftRequestSchema, [0x08, 0x01, 0x08, 0x02]],
      // Tags written in more bytes than they need: fromBinary takes the first, refuses the others.
      [RaftRequestSchema, [0x88, 0x80, 0x80, 0x80, 0x00, 0x05]],
      [RaftRequestSchema, [0x88, 0x80, 0x80, 0x80, 0x10, 0x05]],
      [RaftRequestSchema, [0x88, 0x80, 0x80, 0x80, 0x80, 0x00, 0x05]],
      // Field number 0, wire types 6 and 7, a group.
      [RaftRequestSchema, [0x00, 0x01]],
      [RaftRequestSchema, [0x0e]],
      [RaftRequestSchema, [0x0b, 0x0c]],
      // A length past the end, a varint that never ends.
      [RaftRequestSchema, [0x22, 0x7f, 0x10]],
      [RaftRequestSchema, [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]],
      // A string that is not UTF-8.
      [ProduceRequestSchema, [0x0a, 0x02, 0xc3, 0x28]],
    ];
    for (const [schema, bytes] of cases) expectSameAsFromBinary(schema, Uint8Array.from(bytes));
    expect(
      decodeDirectly(RaftRequestSchema, Uint8Array.from([0x08, 0x05, 0xf8, 0x07, 0x2a])),
    ).toBeUndefined();
  });

  it('leaves types it cannot plan to fromBinary: maps, doubles, and the recursive types holding them', () => {
    const value = create(ValueSchema, {
      kind: { case: 'listValue', value: { values: [{ kind: { case: 'numberValue', value: 1.5 } }] } },
    });
    const struct = create(StructSchema, { fields: { a: value } });
    for (const [schema, message] of [
      [StructSchema, struct],
      [ValueSchema, value],
      [ListValueSchema, value.kind.value],
    ] as const) {
      expect(decodesDirectly(schema)).toBe(false);
      const bytes = toBinary(schema, message as never);
      expect(decodeBinary(schema, bytes)).toStrictEqual(fromBinary(schema, bytes));
    }
  });

  it('takes repeated numbers unpacked too, through fromBinary', () => {
    // RaftResponse.unknown_group_ids (4, uint64) as two varint fields instead of one packed run.
    const unpacked = Uint8Array.from([0x20, 0x05, 0x20, 0x06]);
    expect(decodeDirectly(RaftResponseSchema, unpacked)).toBeUndefined();
    expect(decodeBinary(RaftResponseSchema, unpacked).unknownGroupIds).toEqual([5n, 6n]);
  });

  it('returns bytes fields as views into the input, as fromBinary does', () => {
    const data = new Uint8Array(1024).fill(7);
    const frame = create(RaftRequestSchema, {
      sequence: 9n,
      messages: [{ type: RaftMessageType.APPEND, entries: [{ term: 2n, index: 3n, data }] }],
    });
    const bytes = Buffer.from(toBinary(RaftRequestSchema, frame));
    const entry = decodeBinary(RaftRequestSchema, bytes).messages[0]!.entries[0]!;
    expect(new Uint8Array(entry.data)).toEqual(data);
    expect(entry.data.buffer).toBe(bytes.buffer);
    expect(Buffer.isBuffer(entry.data)).toBe(true);
  });
});
