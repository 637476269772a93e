import {
  status,
  type sendUnaryData,
  type Server,
  type ServerDuplexStream,
  type ServerUnaryCall,
  type ServerWritableStream,
  type ServiceError,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';
import { RaftlogError } from '../../lib/index.js';
import { callContext, type CallContext } from './call-context.js';
import { createServiceDefinition } from './service-definition.js';
import type { AnyService, ServiceImpl } from './service-types.js';
import { toStatus } from './status-mapping.js';

type AnyHandler = (input: unknown, context: CallContext) => unknown;

/** Registers typed handlers for a service; methods without a handler answer UNIMPLEMENTED. */
export function implementService<S extends AnyService>(
  server: Server,
  service: S,
  impl: ServiceImpl<S>,
): void {
  const handlers: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (impl as Record<string, AnyHandler | undefined>)[method.localName];
    handlers[method.localName] =
      handler === undefined ? unimplemented(method) : adapt(method, handler.bind(impl));
  }
  server.addService(createServiceDefinition(service), handlers);
}

function adapt(method: DescMethod, handler: AnyHandler): UntypedServiceImplementation[string] {
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = callContext(call);
        Promise.resolve()
          .then(() => handler(call.request, context))
          .then(
            (response) => callback(null, response),
            (error: unknown) => callback(toServiceError(error)),
          )
          .finally(done);
      };
    case 'server_streaming':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const { context, done } = callContext(call);
        void pipeOut(call, () => handler(call.request, context) as AsyncIterable<unknown>, context).finally(
          done,
        );
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const { context, done } = callContext(call);
        // Reading through the stream's iterator keeps grpc-js flow control: a slow handler pauses the
        // call once its bounded read buffer is full. The end of the requests must not destroy the
        // call, whose responses may still be flowing.
        const requests = call.iterator({ destroyOnReturn: false }) as AsyncIterable<unknown>;
        void pipeOut(call, () => handler(requests, context) as AsyncIterable<unknown>, context).finally(done);
      };
    case 'client_streaming':
      return unimplemented(method);
  }
}

async function pipeOut(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  responses: () => AsyncIterable<unknown>,
  context: CallContext,
): Promise<void> {
  try {
    for await (const response of responses()) {
      if (context.signal.aborted) return;
      if (!call.write(response)) await drained(call, context.signal);
    }
    if (!context.signal.aborted) call.end();
  } catch (error) {
    if (!context.signal.aborted) call.emit('error', toServiceError(error));
  }
}

function drained(call: NodeJS.EventEmitter, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const finish = (): void => {
      call.off('drain', finish);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    call.once('drain', finish);
    signal.addEventListener('abort', finish, { once: true });
  });
}

function unimplemented(method: DescMethod): UntypedServiceImplementation[string] {
  const error = new RaftlogError(
    'UNIMPLEMENTED',
    `${method.parent.typeName}.${method.name} is not implemented`,
  );
  return (call: { emit(event: 'error', e: ServiceError): boolean }, callback?: sendUnaryData<unknown>) => {
    if (typeof callback === 'function') callback(toServiceError(error));
    else call.emit('error', toServiceError(error));
  };
}

function toServiceError(error: unknown): ServiceError {
  const s = toStatus(error);
  return Object.assign(new Error(s.details ?? 'error'), {
    code: s.code ?? status.INTERNAL,
    details: s.details ?? 'error',
    metadata: s.metadata,
  }) as ServiceError;
}
