import type {
  MethodDefinition,
  sendUnaryData,
  ServiceDefinition,
  Server,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  UntypedHandleCall,
  UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';
import { RaftlogError, type Clock } from '../lib/index.js';
import { readBounded } from './bounded-reader.js';
import { requestDeserializer, UndecodableRequest } from './codec.js';
import { callContext, type CallContext } from './call-context.js';
import { noteRequestOutcome, runInRequestScope, type RequestScope } from './request-scope.js';
import { createServiceDefinition, methodPath } from './service-definition.js';
import type { AnyService, ServiceImpl } from './service-types.js';
import { toServiceError } from './status-mapping.js';
import { waitForDrain } from './wait-for-drain.js';
import { wireClock } from './wire-clock.js';

export interface ImplementOptions {
  /** Requests a streaming handler has not taken yet before the call is paused. */
  readonly requestQueueItems?: number;
  /** Sees every error a handler throws that is not a RaftlogError (the client only gets INTERNAL). */
  readonly onInternalError?: (error: unknown, path: string) => void;
  /** Runs when a call ends, inside its request scope (so a log line written here carries its id). */
  readonly onCallEnd?: (scope: RequestScope, elapsedMs: number) => void;
  /** Call deadlines and timings; the wall clock when absent. */
  readonly clock?: Clock;
}

type AnyHandler = (input: unknown, context: CallContext) => unknown;
type Hooks = Required<ImplementOptions>;

/** Registers typed handlers for a service; methods without a handler answer UNIMPLEMENTED. */
export function implementService<S extends AnyService>(
  server: Server,
  service: S,
  impl: ServiceImpl<S>,
  options: ImplementOptions = {},
): void {
  const hooks: Hooks = {
    requestQueueItems: 64,
    onInternalError: () => {},
    onCallEnd: () => {},
    clock: wireClock,
    ...options,
  };
  const handlers: UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (impl as Record<string, AnyHandler | undefined>)[method.localName];
    handlers[method.localName] =
      handler === undefined ? unimplemented(method) : adapt(method, handler.bind(impl), hooks);
  }
  server.addService(serverDefinition(service), handlers);
}

/** The shared definition, but a request that does not decode reaches the adapter instead of grpc-js. */
function serverDefinition(service: AnyService): ServiceDefinition {
  const shared = createServiceDefinition(service);
  const definition: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const method of service.methods) {
    const def = shared[method.localName] as MethodDefinition<unknown, unknown>;
    definition[method.localName] = { ...def, requestDeserialize: requestDeserializer(method.input) };
  }
  return definition;
}

const undecodable = (message: unknown): Error | undefined =>
  message instanceof UndecodableRequest ? message.error : undefined;

function adapt(method: DescMethod, handler: AnyHandler, hooks: Hooks): UntypedHandleCall {
  const path = methodPath(method);
  // Everything a call does, logs and onward calls included, happens in its scope.
  const scoped = (context: CallContext, done: () => void, run: (end: () => void) => void): void => {
    const scope: RequestScope = { requestId: context.requestId, method: path };
    const started = hooks.clock.now();
    runInRequestScope(scope, () =>
      run(() => {
        done();
        hooks.onCallEnd(scope, hooks.clock.now() - started);
      }),
    );
  };
  const fail = (error: unknown) => {
    if (!(error instanceof RaftlogError)) hooks.onInternalError(error, path);
    noteRequestOutcome(RaftlogError.from(error).code);
    return toServiceError(error);
  };
  const requests = (call: ServerReadableStream<unknown, unknown>, signal: AbortSignal) =>
    readBounded(call, {
      capacityItems: hooks.requestQueueItems,
      mapError: (e) => RaftlogError.from(e),
      reject: undecodable,
      signal,
      clock: hooks.clock,
    });
  switch (method.methodKind) {
    case 'unary':
      return (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        scoped(context, done, (end) =>
          respond(() => handler(decoded(call.request), context), callback, fail, end),
        );
      };
    case 'client_streaming':
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        scoped(context, done, (end) =>
          respond(() => handler(requests(call, context.signal), context), callback, fail, end),
        );
      };
    case 'server_streaming':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        const responses = () => handler(decoded(call.request), context) as AsyncIterable<unknown>;
        scoped(context, done, (end) => void pipeOut(call, responses, context.signal, fail).finally(end));
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        const responses = () => handler(requests(call, context.signal), context) as AsyncIterable<unknown>;
        scoped(context, done, (end) => void pipeOut(call, responses, context.signal, fail).finally(end));
      };
  }
}

/** Throws (inside the call's error path) the RaftlogError of a request that did not decode. */
function decoded(request: unknown): unknown {
  if (request instanceof UndecodableRequest) throw request.error;
  return request;
}

function respond(
  run: () => unknown,
  callback: sendUnaryData<unknown>,
  fail: (error: unknown) => Error,
  done: () => void,
): void {
  Promise.resolve()
    .then(run)
    .then(
      (response) => callback(null, response),
      (error: unknown) => callback(fail(error)),
    )
    .finally(done);
}

/** Writes responses as the handler yields them, waiting for 'drain' whenever grpc-js says its buffer is full. */
async function pipeOut(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  responses: () => AsyncIterable<unknown>,
  signal: AbortSignal,
  fail: (error: unknown) => Error,
): Promise<void> {
  try {
    for await (const response of responses()) {
      if (signal.aborted) return;
      if (!call.write(response)) await waitForDrain(call, signal);
    }
    if (!signal.aborted) call.end();
  } catch (error) {
    if (!signal.aborted) call.emit('error', fail(error));
  }
}

function unimplemented(method: DescMethod): UntypedHandleCall {
  const error = new RaftlogError(
    'UNIMPLEMENTED',
    `${method.parent.typeName}.${method.name} is not implemented`,
  );
  return (call: NodeJS.EventEmitter, callback?: sendUnaryData<unknown>) => {
    if (typeof callback === 'function') callback(toServiceError(error));
    else call.emit('error', toServiceError(error));
  };
}
