import { ScalarType, toBinary, type DescField, type DescMessage } from '@bufbuild/protobuf';
import { FeatureSet_FieldPresence as Presence } from '@bufbuild/protobuf/wkt';
import { unzeroedBytes } from '../lib/index.js';
import { PlanCache } from './plan-cache.js';
import { planCovers, scalarOf } from './plan-coverage.js';

/**
 * Protobuf binary encoding in two passes: sizes first, then one write into a buffer of exactly that
 * size. protobuf-es's `toBinary` writes every nested message into chunks of its own and joins them on
 * the way out, so a record batch inside an entry inside a Raft message inside a frame is copied once
 * per level; here each `bytes` value is copied once. The output is byte for byte `toBinary`'s
 * (binary-encoder.test.ts checks it on every message type of proto/gen). Message types using what
 * this encoder does not cover (maps, groups, floating point, required fields, 64-bit integers as
 * strings) go to `toBinary` whole.
 */
export function encodeBinary(schema: DescMessage, message: object): Uint8Array {
  const plan = plans.get(schema);
  if (plan === undefined) return toBinary(schema, message as never);
  const sizes: number[] = [];
  const size = messageSize(plan, message as Fields, sizes);
  const out = unzeroedBytes(size);
  const cursor = { pos: 0, size: 0 };
  writeMessage(plan, message as Fields, out, cursor, sizes);
  if (cursor.pos !== size) throw new Error(`${schema.typeName}: wrote ${cursor.pos} of ${size} bytes`);
  return out;
}

/** Whether `encodeBinary` encodes this type itself rather than through `toBinary`. */
export function encodesDirectly(schema: DescMessage): boolean {
  return plans.get(schema) !== undefined;
}

type Fields = Record<string, unknown> & { $unknown?: Unknown[] };
interface Unknown {
  readonly no: number;
  readonly wireType: number;
  readonly data: Uint8Array;
}

const lengthDelimited = 2;

interface FieldPlan {
  readonly field: DescField;
  readonly localName: string;
  /** The oneof's property when the field belongs to one. */
  readonly oneof: string | undefined;
  readonly implicitPresence: boolean;
  /** The tag, varint-encoded once. */
  readonly tag: Uint8Array;
  /** For packed lists and single values: the tag of one element. */
  readonly kind: 'scalar' | 'message' | 'list-scalar' | 'list-packed' | 'list-message';
  readonly scalar: ScalarType;
  nested: MessagePlan | undefined;
}

interface MessagePlan {
  readonly fields: readonly FieldPlan[];
}

const plans = new PlanCache<MessagePlan>(buildPlan);

function buildPlan(schema: DescMessage): MessagePlan | undefined {
  const plan: { fields: FieldPlan[] } = { fields: [] };
  plans.begin(schema, plan);
  const sorted = [...schema.fields].sort((a, b) => a.number - b.number);
  for (const field of sorted) {
    const fieldPlan = planField(field);
    if (fieldPlan === undefined) return undefined;
    plan.fields.push(fieldPlan);
  }
  for (const f of plan.fields) {
    if (f.kind !== 'message' && f.kind !== 'list-message') continue;
    const nested = f.field.message === undefined ? undefined : plans.nested(f.field.message);
    if (nested === undefined) return undefined;
    f.nested = nested;
  }
  return plan;
}

function planField(field: DescField): FieldPlan | undefined {
  if (!planCovers(field)) return undefined;
  const scalar = scalarOf(field);
  const kind = kindOf(field);
  const wireType = kind === 'scalar' || kind === 'list-scalar' ? wireTypeOf(scalar) : lengthDelimited;
  return {
    field,
    localName: field.localName,
    oneof: field.oneof?.localName,
    implicitPresence: field.oneof === undefined && field.presence === Presence.IMPLICIT,
    tag: varintBytes((field.number << 3) | wireType),
    kind,
    scalar: scalar ?? ScalarType.INT32,
    nested: undefined,
  };
}

function kindOf(field: DescField): FieldPlan['kind'] {
  if (field.fieldKind === 'message') return 'message';
  if (field.fieldKind !== 'list') return 'scalar';
  if (field.listKind === 'message') return 'list-message';
  return field.packed ? 'list-packed' : 'list-scalar';
}

function wireTypeOf(scalar: ScalarType | undefined): number {
  return scalar === ScalarType.STRING || scalar === ScalarType.BYTES ? lengthDelimited : 0;
}

/** The field's value when it is to be written, else undefined. */
function presentValue(f: FieldPlan, message: Fields): unknown {
  if (f.oneof !== undefined) {
    const o = message[f.oneof] as { case?: string; value?: unknown } | undefined;
    return o?.case === f.localName ? o.value : undefined;
  }
  const value = message[f.localName];
  if (value === undefined || !f.implicitPresence) return value;
  if (f.kind === 'scalar') return isZero(f.scalar, value) ? undefined : value;
  if (f.kind === 'message') return value;
  return (value as unknown[]).length > 0 ? value : undefined;
}

function isZero(scalar: ScalarType, value: unknown): boolean {
  switch (scalar) {
    case ScalarType.STRING:
      return value === '';
    case ScalarType.BYTES:
      return (value as Uint8Array).byteLength === 0;
    case ScalarType.BOOL:
      return value === false;
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
      return value === 0n || value === 0;
    default:
      return value === 0;
  }
}

// Pass 1: sizes. Nested message sizes are pushed in the order pass 2 meets them.

function messageSize(plan: MessagePlan, message: Fields, sizes: number[]): number {
  let size = 0;
  for (const f of plan.fields) {
    const value = presentValue(f, message);
    if (value !== undefined) size += fieldSize(f, value, sizes);
  }
  for (const u of message.$unknown ?? []) size += varintSize((u.no << 3) | u.wireType) + u.data.byteLength;
  return size;
}

function fieldSize(f: FieldPlan, value: unknown, sizes: number[]): number {
  switch (f.kind) {
    case 'scalar':
      return f.tag.length + scalarSize(f.scalar, value);
    case 'message':
      return f.tag.length + nestedSize(f.nested!, value as Fields, sizes);
    case 'list-message': {
      let size = 0;
      for (const item of value as Fields[]) size += f.tag.length + nestedSize(f.nested!, item, sizes);
      return size;
    }
    case 'list-scalar': {
      let size = 0;
      for (const item of value as unknown[]) size += f.tag.length + scalarSize(f.scalar, item);
      return size;
    }
    case 'list-packed': {
      let payload = 0;
      for (const item of value as unknown[]) payload += scalarSize(f.scalar, item);
      sizes.push(payload);
      return f.tag.length + varintSize(payload) + payload;
    }
  }
}

function nestedSize(plan: MessagePlan, message: Fields, sizes: number[]): number {
  const slot = sizes.length;
  sizes.push(0);
  const size = messageSize(plan, message, sizes);
  sizes[slot] = size;
  return varintSize(size) + size;
}

function scalarSize(scalar: ScalarType, value: unknown): number {
  switch (scalar) {
    case ScalarType.STRING: {
      const n = utf8Length(value as string);
      return varintSize(n) + n;
    }
    case ScalarType.BYTES: {
      const n = (value as Uint8Array).byteLength;
      return varintSize(n) + n;
    }
    case ScalarType.BOOL:
      return 1;
    case ScalarType.INT32:
      return (value as number) < 0 ? 10 : varintSize(value as number);
    case ScalarType.UINT32:
      return varintSize((value as number) >>> 0);
    case ScalarType.SINT32:
      return varintSize((((value as number) << 1) ^ ((value as number) >> 31)) >>> 0);
    default:
      return varint64Size(int64Bits(scalar, value));
  }
}

// Pass 2: one write.

interface Cursor {
  pos: number;
  /** The next entry of `sizes` to use. */
  size: number;
}

function writeMessage(plan: MessagePlan, message: Fields, out: Uint8Array, c: Cursor, sizes: number[]): void {
  for (const f of plan.fields) {
    const value = presentValue(f, message);
    if (value !== undefined) writeField(f, value, out, c, sizes);
  }
  for (const u of message.$unknown ?? []) {
    writeVarint(out, c, (u.no << 3) | u.wireType);
    out.set(u.data, c.pos);
    c.pos += u.data.byteLength;
  }
}

function writeField(f: FieldPlan, value: unknown, out: Uint8Array, c: Cursor, sizes: number[]): void {
  switch (f.kind) {
    case 'scalar':
      writeTag(f, out, c);
      writeScalar(f.scalar, value, out, c);
      return;
    case 'message':
      writeTag(f, out, c);
      writeNested(f.nested!, value as Fields, out, c, sizes);
      return;
    case 'list-message':
      for (const item of value as Fields[]) {
        writeTag(f, out, c);
        writeNested(f.nested!, item, out, c, sizes);
      }
      return;
    case 'list-scalar':
      for (const item of value as unknown[]) {
        writeTag(f, out, c);
        writeScalar(f.scalar, item, out, c);
      }
      return;
    case 'list-packed':
      writeTag(f, out, c);
      writeVarint(out, c, sizes[c.size++]!);
      for (const item of value as unknown[]) writeScalar(f.scalar, item, out, c);
      return;
  }
}

function writeTag(f: FieldPlan, out: Uint8Array, c: Cursor): void {
  out.set(f.tag, c.pos);
  c.pos += f.tag.length;
}

function writeNested(plan: MessagePlan, message: Fields, out: Uint8Array, c: Cursor, sizes: number[]): void {
  writeVarint(out, c, sizes[c.size++]!);
  writeMessage(plan, message, out, c, sizes);
}

const utf8 = new TextEncoder();

function writeScalar(scalar: ScalarType, value: unknown, out: Uint8Array, c: Cursor): void {
  switch (scalar) {
    case ScalarType.STRING: {
      const s = value as string;
      const n = utf8Length(s);
      writeVarint(out, c, n);
      const { written } = utf8.encodeInto(s, out.subarray(c.pos, c.pos + n));
      if (written !== n) throw new Error(`string of ${n} UTF-8 bytes encoded to ${written}`);
      c.pos += n;
      return;
    }
    case ScalarType.BYTES: {
      const b = value as Uint8Array;
      writeVarint(out, c, b.byteLength);
      out.set(b, c.pos);
      c.pos += b.byteLength;
      return;
    }
    case ScalarType.BOOL:
      out[c.pos++] = value === true ? 1 : 0;
      return;
    case ScalarType.INT32:
      if ((value as number) < 0) writeVarint64(out, c, BigInt.asUintN(64, BigInt(value as number)));
      else writeVarint(out, c, value as number);
      return;
    case ScalarType.UINT32:
      writeVarint(out, c, (value as number) >>> 0);
      return;
    case ScalarType.SINT32:
      writeVarint(out, c, (((value as number) << 1) ^ ((value as number) >> 31)) >>> 0);
      return;
    default:
      writeVarint64(out, c, int64Bits(scalar, value));
  }
}

/** The unsigned 64 bits a 64-bit field puts on the wire (two's complement, or zigzag for sint64). */
function int64Bits(scalar: ScalarType, value: unknown): bigint {
  const v = typeof value === 'bigint' ? value : BigInt(value as number);
  if (scalar === ScalarType.SINT64) return BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
  return v >= 0n ? v : BigInt.asUintN(64, v);
}

const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function varint64Size(v: bigint): number {
  if (v <= safeMax) return varintSize(Number(v));
  let size = 1;
  while (v >= 0x80n) {
    v >>= 7n;
    size++;
  }
  return size;
}

/** Non-negative integers up to 2^53; written 7 bits at a time without 32-bit truncation. */
function writeVarint(out: Uint8Array, c: Cursor, n: number): void {
  while (n >= 0x80) {
    out[c.pos++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[c.pos++] = n;
}

function writeVarint64(out: Uint8Array, c: Cursor, v: bigint): void {
  if (v <= safeMax) {
    writeVarint(out, c, Number(v));
    return;
  }
  while (v >= 0x80n) {
    out[c.pos++] = Number(v & 0x7fn) | 0x80;
    v >>= 7n;
  }
  out[c.pos++] = Number(v);
}

function varintBytes(n: number): Uint8Array {
  const out = new Uint8Array(varintSize(n));
  writeVarint(out, { pos: 0, size: 0 }, n);
  return out;
}

/** UTF-8 length as TextEncoder encodes (a lone surrogate becomes U+FFFD, three bytes). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    if (code < 0x80) n += 1;
    else if (code < 0x800) n += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
