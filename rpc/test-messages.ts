import { ScalarType, type DescField, type DescMessage } from '@bufbuild/protobuf';
import fc from 'fast-check';
import * as health from '../proto/gen/grpc/health/v1/health_pb.js';
import * as admin from '../proto/gen/raftlog/v1/admin_pb.js';
import * as broker from '../proto/gen/raftlog/v1/broker_pb.js';
import * as errors from '../proto/gen/raftlog/v1/errors_pb.js';
import * as peer from '../proto/gen/raftlog/v1/peer_pb.js';
import * as record from '../proto/gen/raftlog/v1/record_pb.js';
import * as security from '../proto/gen/raftlog/v1/security_pb.js';
import * as topic from '../proto/gen/raftlog/v1/topic_pb.js';

/** Every message type of proto/gen: what the codec tests run over. */
export const schemas: DescMessage[] = [health, admin, broker, errors, peer, record, security, topic]
  .flatMap((m): unknown[] => Object.values(m))
  .filter(
    (v): v is DescMessage =>
      typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'message',
  );

const depthMax = 3;

/** A random value for every field, or none: the init object `create` takes. */
export function messageInit(schema: DescMessage, depth: number): fc.Arbitrary<Record<string, unknown>> {
  if (depth >= depthMax) return fc.constant({});
  const parts = schema.fields.map((f) =>
    fc.option(fieldValue(f, depth), { nil: undefined }).map((v) => [f, v] as const),
  );
  return fc.tuple(...parts).map((entries) => {
    const init: Record<string, unknown> = {};
    for (const [f, v] of entries) {
      if (v === undefined) continue;
      if (f.oneof !== undefined) init[f.oneof.localName] = { case: f.localName, value: v };
      else init[f.localName] = v;
    }
    return init;
  });
}

function fieldValue(f: DescField, depth: number): fc.Arbitrary<unknown> {
  switch (f.fieldKind) {
    case 'scalar':
      return scalarValue(f.scalar);
    case 'enum':
      return fc.oneof(fc.constantFrom(...f.enum.values.map((v) => v.number)), fc.integer());
    case 'message':
      return messageInit(f.message, depth + 1);
    case 'list':
      return fc.array(
        f.listKind === 'scalar'
          ? scalarValue(f.scalar)
          : f.listKind === 'enum'
            ? fc.integer()
            : messageInit(f.message, depth + 1),
        { maxLength: 4 },
      );
    case 'map':
      return fc.constant({});
  }
}

function scalarValue(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return fc.oneof(
        fc.string(),
        fc.string({ unit: 'grapheme' }),
        fc.constantFrom('\ud800', 'a\udc00b', ''),
      );
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 300 });
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.INT32:
    case ScalarType.SINT32:
    case ScalarType.SFIXED32:
      return fc.oneof(fc.constantFrom(0, -1, 2 ** 31 - 1, -(2 ** 31)), fc.integer());
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.constantFrom(0, 2 ** 32 - 1), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(
        fc.constantFrom(0n, 2n ** 64n - 1n, 2n ** 53n + 1n),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      );
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.double({ noNaN: true });
    default:
      return fc.oneof(
        fc.constantFrom(0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
      );
  }
}
