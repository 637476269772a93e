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
import { runInRequestScope, type RequestScope } from './request-scope.js';
import { createServiceDefinition, methodPath } from './service-definition.js';
import type { AnyService, ServiceImpl } from './service-types.js';
import { toServiceError } from './status-mapping.js';
import { writeOut } from './write-out.js';
import { wireClock } from './wire-clock.js';

export interface ImplementOptions {
  /** Requests a streaming handler has not taken yet before the call is paused. */
  readonly requestQueueItems?: number;
  /** Sees every error a handler throws that is not a RaftlogError (the client only gets INTERNAL). */
  readonly onInternalError?: (error: unknown, path: string) => void;
  /** Runs when a call ends, inside its request scope when scopes are on. */
  readonly onCallEnd?: (scope: RequestScope, elapsedMs: number) => void;
  /**
   * Runs each call in its request scope (request-scope.ts), so that every log line written and every
   * call made on its behalf carries its request id. Scopes ride on AsyncLocalStorage, which on Node 20
   * sends every promise of the process through async hooks once one scope has been entered: 4-8% of a
   * busy node's CPU (src/README.md). Off by default; a call's id still goes back in its answer either way.
   */
  readonly requestScopes?: boolean;
  /** Call deadlines and timings; the wall clock when absent. */
  readonly clock?: Clock;
}

type AnyHandler = (input: unknown, context: CallContext) => unknown;
/** How a call ends: `end` once it is over, `fail` to turn an error into its answer (and its outcome code). */
interface CallEnds {
  readonly end: () => void;
  readonly fail: (error: unknown) => Error;
}
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
    requestScopes: false,
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
  const scoped = (context: CallContext, done: () => void, run: (call: CallEnds) => void): void => {
    const scope: RequestScope = { requestId: context.requestId, method: path };
    const started = hooks.clock.now();
    const end = (): void => {
      done();
      hooks.onCallEnd(scope, hooks.clock.now() - started);
    };
    const fail = (error: unknown): Error => {
      if (!(error instanceof RaftlogError)) hooks.onInternalError(error, path);
      scope.code = RaftlogError.from(error).code;
      return toServiceError(error);
    };
    // With scopes on, everything a call does, logs and onward calls included, happens in its scope.
    if (hooks.requestScopes) runInRequestScope(scope, () => run({ end, fail }));
    else run({ end, fail });
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
        scoped(context, done, ({ end, fail }) =>
          respond(() => handler(decoded(call.request), context), callback, fail, end),
        );
      };
    case 'client_streaming':
      return (call: ServerReadableStream<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        scoped(context, done, ({ end, fail }) =>
          respond(() => handler(requests(call, context.signal), context), callback, fail, end),
        );
      };
    case 'server_streaming':
      return (call: ServerWritableStream<unknown, unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        const responses = () => handler(decoded(call.request), context) as AsyncIterable<unknown>;
        scoped(
          context,
          done,
          ({ end, fail }) => void pipeOut(call, responses, context.signal, fail).finally(end),
        );
      };
    case 'bidi_streaming':
      return (call: ServerDuplexStream<unknown, unknown>) => {
        const { context, done } = callContext(call, hooks.clock);
        const responses = () => handler(requests(call, context.signal), context) as AsyncIterable<unknown>;
        scoped(
          context,
          done,
          ({ end, fail }) => void pipeOut(call, responses, context.signal, fail).finally(end),
        );
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

/**
 * Writes responses as the handler yields them, and asks for the next only once the last one went out
 * to HTTP/2 (its write callback, which waits for the client's flow-control window). grpc-js's
 * writable would take 16 responses before asking for 'drain': a client that stops reading would have
 * a stream of large pushes hold 16 of them in the node.
 */
async function pipeOut(
  call: ServerWritableStream<unknown, unknown> | ServerDuplexStream<unknown, unknown>,
  responses: () => AsyncIterable<unknown>,
  signal: AbortSignal,
  fail: (error: unknown) => Error,
): Promise<void> {
  try {
    for await (const response of responses()) {
      if (signal.aborted) return;
      await writeOut(call, response, signal);
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
