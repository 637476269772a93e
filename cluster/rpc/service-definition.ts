import { create, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { deserializer, serializer } from './codec.js';

export function methodPath(service: DescService, method: DescMethod): string {
  return `/${service.typeName}/${method.name}`;
}

/** A grpc-js service definition from a protobuf-es descriptor; handlers are keyed by localName. */
export function createServiceDefinition(service: DescService): ServiceDefinition {
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    definition[method.localName] = {
      path: methodPath(service, method),
      requestStream: method.methodKind === 'client_streaming' || method.methodKind === 'bidi_streaming',
      responseStream: method.methodKind === 'server_streaming' || method.methodKind === 'bidi_streaming',
      requestSerialize: initSerializer(method.input),
      requestDeserialize: deserializer(method.input),
      responseSerialize: initSerializer(method.output),
      responseDeserialize: deserializer(method.output),
      originalName: method.localName,
    };
  }
  return definition;
}

/** Handlers and callers may pass init objects: `create` is a no-op on a real message. */
function initSerializer(schema: DescMessage): (value: unknown) => Buffer {
  const encode = serializer(schema);
  return (value) => encode(create(schema, value as never));
}
