import { create, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../lib/index.js';
import { decodeBinary } from './binary-decoder.js';
import { encodeBinary } from './binary-encoder.js';

/**
 * grpc-js wants a Buffer: wrap the encoded bytes without copying them. Callers may pass init objects:
 * `create` returns a real message unchanged.
 */
export function serializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    const bytes = encodeBinary(schema, create(schema, value as never));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * Decoded `bytes` fields are views into the received frame; callers that keep them long-term copy
 * them. A frame that does not decode throws (grpc-js then ends the call with a bare INTERNAL).
 */
export function deserializer<D extends DescMessage>(schema: D): (frame: Buffer) => MessageShape<D> {
  return (frame) => decodeBinary(schema, frame);
}

/** Stands in for a request frame that did not decode, so the adapter can answer INVALID_ARGUMENT. */
export class UndecodableRequest {
  constructor(readonly error: RaftlogError) {}
}

/**
 * The server side never lets a decode failure reach grpc-js, which would answer INTERNAL (a server
 * bug, to the client) without our metadata: bad bytes from a client are the client's error.
 */
export function requestDeserializer<D extends DescMessage>(
  schema: D,
): (frame: Buffer) => MessageShape<D> | UndecodableRequest {
  return (frame) => {
    try {
      return decodeBinary(schema, frame);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      return new UndecodableRequest(
        new RaftlogError('INVALID_ARGUMENT', `the request is not a valid ${schema.typeName}: ${reason}`, {
          cause,
        }),
      );
    }
  };
}
