import { create, fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

/**
 * grpc-js wants a Buffer: wrap the encoded bytes without copying them. Callers may pass init objects:
 * `create` returns a real message unchanged.
 */
export function serializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, create(schema, value as never));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * Decoded `bytes` fields are views into the received frame; callers that keep them long-term copy
 * them. A frame that does not decode throws, and grpc-js ends the call with INTERNAL.
 */
export function deserializer<D extends DescMessage>(schema: D): (frame: Buffer) => MessageShape<D> {
  return (frame) => fromBinary(schema, frame);
}
