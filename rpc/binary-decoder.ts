import {
  fromBinary,
  ScalarType,
  type DescField,
  type DescMessage,
  type MessageShape,
} from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence as Presence } from '@bufbuild/protobuf/wkt';
import { scalarZeroValue } from '@bufbuild/protobuf/reflect';
import { BinaryReader } from '@bufbuild/protobuf/wire';
import { PlanCache } from './plan-cache.js';
import { planCovers, scalarOf } from './plan-coverage.js';

/**
 * Protobuf binary decoding by a plan per message type. protobuf-es's `fromBinary` wraps every message
 * it builds in a reflection object, looks each field up in a map and allocates an array per tag:
 * 17–19% of what a node allocated per record one at a time went there. Here a message is a plain
 * object filled field by field, with protobuf-es's own reader for the values, so numbers, strings and
 * byte views come out exactly as `fromBinary` makes them.
 *
 * Only input as `toBinary` writes it takes this path: every field known, in its usual wire type, a
 * singular message or oneof member at most once. Anything else (unknown fields, merged messages,
 * unpacked lists, errors) is decoded again by `fromBinary`, which gives its result or its error, so
 * the outcome is always `fromBinary`'s (binary-decoder.test.ts compares them on every message type of
 * proto/gen, and on damaged input). Types using what the plan does not cover (maps, groups, floating
 * point, fixed-width and 64-bit-as-string numbers, required fields) go to `fromBinary` whole.
 */
export function decodeBinary<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> {
  return (decodeDirectly(schema, bytes) ?? fromBinary(schema, bytes)) as MessageShape<D>;
}

/** The message when `bytes` is input the plan takes as it is, else undefined. */
export function decodeDirectly(schema: DescMessage, bytes: Uint8Array): Fields | undefined {
  const plan = plans.get(schema);
  if (plan === undefined) return undefined;
  try {
    const reader = new BinaryReader(bytes);
    return readMessage(plan, reader, bytes.byteLength, 1);
  } catch {
    return undefined;
  }
}

/** Whether `decodeBinary` decodes this type itself (for input as `toBinary` writes it). */
export function decodesDirectly(schema: DescMessage): boolean {
  return plans.get(schema) !== undefined;
}

type Fields = Record<string, unknown>;

/** Thrown inside a decode that leaves the input to `fromBinary` (one instance: nothing reads it). */
const notCanonical = new Error('not as toBinary writes it');

/** protobuf-es refuses messages nested deeper than this by default. */
const recursionLimit = 100;
const varint = 0;
const lengthDelimited = 2;

interface FieldPlan {
  readonly localName: string;
  readonly oneof: string | undefined;
  readonly kind: 'scalar' | 'message' | 'list-scalar' | 'list-message';
  readonly scalar: ScalarType;
  readonly strictUtf8: boolean;
  /** The wire type the tag carries. */
  readonly wireType: number;
  nested: MessagePlan | undefined;
}

interface MessagePlan {
  readonly typeName: string;
  /** Indexed by field number. */
  readonly byNumber: readonly (FieldPlan | undefined)[];
  /** What `create` sets on an empty message: implicit-presence fields, lists and oneofs. */
  readonly zeros: readonly ZeroField[];
}

interface ZeroField {
  readonly localName: string;
  readonly zero: () => unknown;
}

/** Field numbers above this leave the type to `fromBinary` (the plan's table is an array). */
const fieldNumberMax = 1024;

const plans = new PlanCache<MessagePlan>(buildPlan);

function buildPlan(schema: DescMessage): MessagePlan | undefined {
  const byNumber: (FieldPlan | undefined)[] = [];
  const plan: MessagePlan = { typeName: schema.typeName, byNumber, zeros: zerosOf(schema) };
  plans.begin(schema, plan);
  for (const field of schema.fields) {
    const fieldPlan = field.number <= fieldNumberMax ? planField(field) : undefined;
    if (fieldPlan === undefined) return undefined;
    byNumber[field.number] = fieldPlan;
    if (field.message === undefined) continue;
    fieldPlan.nested = plans.nested(field.message);
    if (fieldPlan.nested === undefined) return undefined;
  }
  return plan;
}

function planField(field: DescField): FieldPlan | undefined {
  if (!planCovers(field) || field.enum?.open === false) return undefined;
  const scalar = scalarOf(field);
  const message =
    field.fieldKind === 'message' || (field.fieldKind === 'list' && field.listKind === 'message');
  const list = field.fieldKind === 'list';
  return {
    localName: field.localName,
    oneof: field.oneof?.localName,
    kind: message ? (list ? 'list-message' : 'message') : list ? 'list-scalar' : 'scalar',
    scalar: scalar ?? ScalarType.INT32,
    strictUtf8: field.utf8Validation,
    // Lists of numbers come packed, in one length-delimited run.
    wireType:
      message || list || scalar === ScalarType.STRING || scalar === ScalarType.BYTES
        ? lengthDelimited
        : varint,
    nested: undefined,
  };
}

/** `create`'s empty message for proto3 semantics: explicit-presence fields and messages stay unset. */
function zerosOf(schema: DescMessage): ZeroField[] {
  const zeros: ZeroField[] = [];
  for (const member of schema.members) {
    if (member.kind === 'oneof') {
      zeros.push({ localName: member.localName, zero: () => ({ case: undefined }) });
    } else if (member.fieldKind === 'list') {
      zeros.push({ localName: member.localName, zero: () => [] });
    } else if (member.fieldKind === 'map') {
      zeros.push({ localName: member.localName, zero: () => ({}) });
    } else if (member.presence === Presence.IMPLICIT && member.fieldKind !== 'message') {
      const zero = member.fieldKind === 'enum' ? (member.enum.values[0]?.number ?? 0) : undefined;
      const scalar = member.fieldKind === 'scalar' ? member.scalar : ScalarType.INT32;
      zeros.push({ localName: member.localName, zero: () => zero ?? scalarZeroValue(scalar, false) });
    }
  }
  return zeros;
}

function emptyMessage(plan: MessagePlan): Fields {
  const message: Fields = { $typeName: plan.typeName };
  for (const z of plan.zeros) message[z.localName] = z.zero();
  return message;
}

function readMessage(plan: MessagePlan, reader: BinaryReader, end: number, depth: number): Fields {
  if (depth > recursionLimit || end > reader.len) throw notCanonical;
  const message = emptyMessage(plan);
  while (reader.pos < end) {
    const f = readTag(plan, reader);
    if (f.oneof === undefined) readField(f, message, reader, depth);
    else readOneofMember(f, f.oneof, message, reader, depth);
  }
  if (reader.pos !== end) throw notCanonical;
  return message;
}

/** The field a tag names, if the plan knows it in that wire type. */
function readTag(plan: MessagePlan, reader: BinaryReader): FieldPlan {
  const start = reader.pos;
  const tag = reader.uint32();
  if (reader.pos - start > 4) throw notCanonical;
  const f = plan.byNumber[tag >>> 3];
  if (f === undefined || (tag & 7) !== f.wireType) throw notCanonical;
  return f;
}

function readField(f: FieldPlan, message: Fields, reader: BinaryReader, depth: number): void {
  switch (f.kind) {
    case 'scalar':
      message[f.localName] = readScalar(f, reader);
      return;
    case 'message':
      if (message[f.localName] !== undefined) throw notCanonical;
      message[f.localName] = readNested(f, reader, depth);
      return;
    case 'list-message':
      (message[f.localName] as unknown[]).push(readNested(f, reader, depth));
      return;
    case 'list-scalar':
      readListScalar(f, message[f.localName] as unknown[], reader);
      return;
  }
}

function readOneofMember(
  f: FieldPlan,
  oneof: string,
  message: Fields,
  reader: BinaryReader,
  depth: number,
): void {
  if ((message[oneof] as { case: unknown }).case !== undefined) throw notCanonical;
  const value = f.kind === 'message' ? readNested(f, reader, depth) : readScalar(f, reader);
  message[oneof] = { case: f.localName, value };
}

function readNested(f: FieldPlan, reader: BinaryReader, depth: number): Fields {
  const length = reader.uint32();
  return readMessage(f.nested!, reader, reader.pos + length, depth + 1);
}

/** Numbers packed in one run (what `toBinary` writes); strings and bytes one per tag. */
function readListScalar(f: FieldPlan, list: unknown[], reader: BinaryReader): void {
  if (f.scalar === ScalarType.STRING || f.scalar === ScalarType.BYTES) {
    list.push(readScalar(f, reader));
    return;
  }
  const end = reader.uint32() + reader.pos;
  if (end > reader.len) throw notCanonical;
  while (reader.pos < end) list.push(readScalar(f, reader));
  if (reader.pos !== end) throw notCanonical;
}

function readScalar(f: FieldPlan, reader: BinaryReader): unknown {
  switch (f.scalar) {
    case ScalarType.STRING:
      return reader.string(f.strictUtf8);
    case ScalarType.BYTES:
      return reader.bytes();
    case ScalarType.BOOL:
      return reader.bool();
    case ScalarType.UINT32:
      return reader.uint32();
    case ScalarType.SINT32:
      return reader.sint32();
    case ScalarType.INT64:
      return reader.int64();
    case ScalarType.UINT64:
      return reader.uint64();
    case ScalarType.SINT64:
      return reader.sint64();
    default:
      return reader.int32();
  }
}
