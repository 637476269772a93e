import { ScalarType, type DescEnum, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import fc from 'fast-check';

/** Writes one field (or one element of a repeated field) onto a message being encoded. */
type Write = (w: BinaryWriter) => void;

/** Strings a broker treats specially, mixed with random ones so near-misses are tried too. */
export interface FuzzVocabulary {
  readonly strings: readonly string[];
}

const depthMax = 3;
const repeatedMax = 6;
const int32Edges = [0, 1, -1, 2 ** 31 - 1, -(2 ** 31)];
const uint32Edges = [0, 1, 2 ** 32 - 1, 2 ** 31];
const int64Edges = [0n, 1n, -1n, 2n ** 62n, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n + 1n];
const uint64Edges = [0n, 1n, 2n ** 64n - 1n, 2n ** 63n, 2n ** 62n];

/**
 * Encoded messages of `schema` whose every field is random but well-typed: edge integers, odd strings
 * and random bytes, nested messages, repeated fields and unknown enum values. They decode, so they
 * reach the service's own validation rather than the codec's.
 */
export function messageBytes(schema: DescMessage, vocabulary: FuzzVocabulary): fc.Arbitrary<Uint8Array> {
  return messageWrite(schema, vocabulary, 0).map((write) => {
    const w = new BinaryWriter();
    write(w);
    return w.finish();
  });
}

function messageWrite(schema: DescMessage, vocabulary: FuzzVocabulary, depth: number): fc.Arbitrary<Write> {
  if (depth >= depthMax || schema.fields.length === 0) return fc.constant(() => undefined);
  const fields = schema.fields.map((field) =>
    fc.option(fieldWrite(field, vocabulary, depth), { nil: undefined }),
  );
  return fc.tuple(...fields).map((writes) => (w: BinaryWriter) => {
    for (const write of writes) write?.(w);
  });
}

function fieldWrite(field: DescField, vocabulary: FuzzVocabulary, depth: number): fc.Arbitrary<Write> {
  switch (field.fieldKind) {
    case 'scalar':
      return scalarWrite(field.number, field.scalar, vocabulary);
    case 'enum':
      return enumWrite(field.number, field.enum);
    case 'message':
      return nestedWrite(field.number, field.message, vocabulary, depth);
    case 'list': {
      const element =
        field.listKind === 'scalar'
          ? scalarWrite(field.number, field.scalar, vocabulary)
          : field.listKind === 'enum'
            ? enumWrite(field.number, field.enum)
            : nestedWrite(field.number, field.message, vocabulary, depth);
      return fc.array(element, { maxLength: repeatedMax }).map((writes) => (w: BinaryWriter) => {
        for (const write of writes) write(w);
      });
    }
    case 'map':
      // Maps travel as repeated entries of (key = 1, value = 2); random bytes stand in for both.
      return fc.array(fc.uint8Array({ maxLength: 32 }), { maxLength: repeatedMax }).map((entries) => (w) => {
        for (const entry of entries) w.tag(field.number, WireType.LengthDelimited).bytes(entry);
      });
  }
}

function nestedWrite(
  no: number,
  schema: DescMessage,
  vocabulary: FuzzVocabulary,
  depth: number,
): fc.Arbitrary<Write> {
  return messageWrite(schema, vocabulary, depth + 1).map((write) => (w: BinaryWriter) => {
    w.tag(no, WireType.LengthDelimited).fork();
    write(w);
    w.join();
  });
}

function enumWrite(no: number, schema: DescEnum): fc.Arbitrary<Write> {
  const known = schema.values.map((v) => v.number);
  return fc
    .oneof(fc.constantFrom(...known), fc.integer())
    .map((value) => (w: BinaryWriter) => w.tag(no, WireType.Varint).int32(value));
}

function scalarWrite(no: number, type: ScalarType, vocabulary: FuzzVocabulary): fc.Arbitrary<Write> {
  switch (type) {
    case ScalarType.STRING:
      return stringValue(vocabulary).map((v) => (w) => w.tag(no, WireType.LengthDelimited).string(v));
    case ScalarType.BYTES:
      return bytesValue().map((v) => (w) => w.tag(no, WireType.LengthDelimited).bytes(v));
    case ScalarType.BOOL:
      return fc.boolean().map((v) => (w) => w.tag(no, WireType.Varint).bool(v));
    case ScalarType.DOUBLE:
      return fc.double().map((v) => (w) => w.tag(no, WireType.Bit64).double(v));
    case ScalarType.FLOAT:
      return fc.float().map((v) => (w) => w.tag(no, WireType.Bit32).float(v));
    default:
      return integerWrite(no, type);
  }
}

const int32 = fc.oneof(fc.constantFrom(...int32Edges), fc.integer());
const uint32 = fc.oneof(fc.constantFrom(...uint32Edges), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
const int64 = fc.oneof(fc.constantFrom(...int64Edges), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
const uint64 = fc.oneof(fc.constantFrom(...uint64Edges), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }));

type IntegerEncoding = readonly [
  fc.Arbitrary<number | bigint>,
  WireType,
  (w: BinaryWriter, v: never) => void,
];

// How each integer type is drawn and written; a type missing here is a uint64.
const integerEncodings: ReadonlyMap<ScalarType, IntegerEncoding> = new Map<ScalarType, IntegerEncoding>([
  [ScalarType.INT32, [int32, WireType.Varint, (w, v: number) => w.int32(v)]],
  [ScalarType.SINT32, [int32, WireType.Varint, (w, v: number) => w.sint32(v)]],
  [ScalarType.SFIXED32, [int32, WireType.Bit32, (w, v: number) => w.sfixed32(v)]],
  [ScalarType.UINT32, [uint32, WireType.Varint, (w, v: number) => w.uint32(v)]],
  [ScalarType.FIXED32, [uint32, WireType.Bit32, (w, v: number) => w.fixed32(v)]],
  [ScalarType.INT64, [int64, WireType.Varint, (w, v: bigint) => w.int64(v)]],
  [ScalarType.SINT64, [int64, WireType.Varint, (w, v: bigint) => w.sint64(v)]],
  [ScalarType.SFIXED64, [int64, WireType.Bit64, (w, v: bigint) => w.sfixed64(v)]],
  [ScalarType.FIXED64, [uint64, WireType.Bit64, (w, v: bigint) => w.fixed64(v)]],
]);

function integerWrite(no: number, type: ScalarType): fc.Arbitrary<Write> {
  const [values, wireType, write] = integerEncodings.get(type) ?? [
    uint64,
    WireType.Varint,
    (w: BinaryWriter, v: bigint) => w.uint64(v),
  ];
  return values.map((v) => (w: BinaryWriter) => write(w.tag(no, wireType), v as never));
}

function stringValue(vocabulary: FuzzVocabulary): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...vocabulary.strings, '', '..', 'a/b', 'x'.repeat(300), '\u0000', '\uffff'),
    fc.string({ maxLength: 24 }),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
  );
}

function bytesValue(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 * 1024 * 1024 }).map((n) => new Uint8Array(n)) },
  );
}
