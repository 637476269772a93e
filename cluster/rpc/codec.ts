import { fromBinary, toBinary, type DescMessage, type MessageShape } from '@bufbuild/protobuf';

/** grpc-js wants a Buffer: wrap the encoded bytes without copying them. */
export function serializer<D extends DescMessage>(schema: D): (message: MessageShape<D>) => Buffer {
  return (message) => {
    const bytes = toBinary(schema, message);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

/**
 * Decoded `bytes` fields are views into the received frame; callers that keep them long-term copy
 * them. A frame that does not decode throws, and grpc-js answers the call with INTERNAL.
 */
export function deserializer<D extends DescMessage>(schema: D): (frame: Buffer) => MessageShape<D> {
  return (frame) => fromBinary(schema, frame);
}
