import {
  Client,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type ChannelCredentials,
  type ChannelOptions,
  type ClientDuplexStream,
  type ClientWritableStream,
  type Interceptor,
  type MethodDefinition,
} from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';
import { RaftlogError, type Clock } from '../lib/index.js';
import { withRequestId } from './request-scope.js';
import { readBounded } from './bounded-reader.js';
import { authorityOptions, dialTarget } from './host-aliases.js';
import { messageBytesMaxDefault } from './server.js';
import { receiveWindowsDefault } from './receive-windows.js';
import { createServiceDefinition } from './service-definition.js';
import type { AnyService, BidiCall, CallOptions, ServiceClient } from './service-types.js';
import { fromServiceError, isServiceError } from './status-mapping.js';
import { defaultChannelCredentials } from './tls-credentials.js';
import { waitForDrain } from './wait-for-drain.js';
import { wireClock } from './wire-clock.js';

export interface ClientOptions {
  /** Largest request sent, in bytes. */
  readonly sendMessageBytesMax?: number;
  /** Largest response accepted, in bytes. */
  readonly receiveMessageBytesMax?: number;
  /** Responses held by a streaming call before it is paused. */
  readonly responseQueueItems?: number;
  /** Defaults to the process's default (insecure unless set, see tls-credentials.ts). */
  readonly credentials?: ChannelCredentials;
  readonly channelOptions?: ChannelOptions;
  /** HTTP/2 window for responses, per stream and per connection; receiveWindowsDefault's stream size when absent. */
  readonly receiveWindowBytes?: number;
  /** Run on every call (headersInterceptor adds credentials). */
  readonly interceptors?: Interceptor[];
  /**
   * Turns a call's timeoutMs into a deadline, an instant grpc-js checks against the wall clock: only a
   * wall clock fits (an offset one, say). wireClock when absent.
   */
  readonly clock?: Clock;
}

type Def = MethodDefinition<unknown, unknown>;
type Ctx = { client: Client; def: Def; queueItems: number; clock: Clock };

/** A typed client for one service at one address; errors arrive as RaftlogError. */
export function createClient<S extends AnyService>(
  service: S,
  address: string,
  options: ClientOptions = {},
): ServiceClient<S> {
  const { target, authority } = dialTarget(address);
  const client = new Client(target, options.credentials ?? defaultChannelCredentials(), {
    // Responses (fetched batches) get the window requests get from our servers (receive-windows.ts).
    'grpc-node.flow_control_window': options.receiveWindowBytes ?? receiveWindowsDefault.streamBytes,
    'grpc.max_send_message_length': options.sendMessageBytesMax ?? messageBytesMaxDefault,
    'grpc.max_receive_message_length': options.receiveMessageBytesMax ?? messageBytesMaxDefault,
    ...authorityOptions(authority),
    ...options.channelOptions,
    ...(options.interceptors === undefined ? {} : { interceptors: options.interceptors }),
  });
  const definition = createServiceDefinition(service);
  const out: Record<string, unknown> = { close: () => client.close() };
  for (const method of service.methods) {
    const def = definition[method.localName] as Def;
    out[method.localName] = bindMethod(method, {
      client,
      def,
      queueItems: options.responseQueueItems ?? 64,
      clock: options.clock ?? wireClock,
    });
  }
  return out as ServiceClient<S>;
}

function bindMethod(method: DescMethod, ctx: Ctx): unknown {
  switch (method.methodKind) {
    case 'unary':
      return (request: unknown, options: CallOptions = {}) => unary(ctx, request, options);
    case 'server_streaming':
      return (request: unknown, options: CallOptions = {}) => serverStream(ctx, request, options);
    case 'bidi_streaming':
      return (options: CallOptions = {}) => bidi(ctx, options);
    case 'client_streaming':
      return (requests: AsyncIterable<unknown>, options: CallOptions = {}) =>
        clientStream(ctx, requests, options);
  }
}

function unary({ client, def, clock }: Ctx, request: unknown, options: CallOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = client.makeUnaryRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      request,
      toMetadata(options.metadata),
      grpcOptions(options, clock),
      (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
    );
    linkSignal(options.signal, () => call.cancel());
  });
}

function serverStream({ client, def, queueItems, clock }: Ctx, request: unknown, options: CallOptions) {
  const call = client.makeServerStreamRequest(
    def.path,
    def.requestSerialize,
    def.responseDeserialize,
    request,
    toMetadata(options.metadata),
    grpcOptions(options, clock),
  );
  linkSignal(options.signal, () => call.cancel());
  return cancelOnExit(readBounded(call, { capacityItems: queueItems, mapError: toRaftlogError, clock }), () =>
    call.cancel(),
  );
}

function bidi({ client, def, queueItems, clock }: Ctx, options: CallOptions): BidiCall<unknown, unknown> {
  const call = client.makeBidiStreamRequest(
    def.path,
    def.requestSerialize,
    def.responseDeserialize,
    toMetadata(options.metadata),
    grpcOptions(options, clock),
  );
  let ended: RaftlogError | undefined;
  const cancel = (): void => {
    ended ??= new RaftlogError('CANCELLED', 'the call was cancelled');
    call.cancel();
  };
  call.on('error', (error) => (ended ??= toRaftlogError(error)));
  call.once('status', () => (ended ??= new RaftlogError('CANCELLED', 'the server ended the call')));
  linkSignal(options.signal, cancel);
  const responses = readBounded(call, { capacityItems: queueItems, mapError: toRaftlogError, clock });
  return {
    send: async (request) => {
      if (ended !== undefined) throw ended;
      await send(call, request);
    },
    end: () => call.end(),
    cancel,
    responses: cancelOnExit(responses, cancel),
  };
}

function clientStream(
  { client, def, clock }: Ctx,
  requests: AsyncIterable<unknown>,
  options: CallOptions,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
      toMetadata(options.metadata),
      grpcOptions(options, clock),
      (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
    );
    linkSignal(options.signal, () => call.cancel());
    void (async () => {
      for await (const request of requests) await send(call, request);
      call.end();
    })().catch(() => call.cancel());
  });
}

/** Resolves once grpc-js takes the message; while its buffer is full, waits for 'drain'. */
async function send(
  call: ClientDuplexStream<unknown, unknown> | ClientWritableStream<unknown>,
  request: unknown,
) {
  if (call.destroyed || call.writableEnded) throw new RaftlogError('CANCELLED', 'the call has ended');
  if (!call.write(request)) await waitForDrain(call);
}

/** Leaving a `for await` early (break, throw) cancels the call instead of leaving it open. */
function cancelOnExit<T>(source: AsyncIterable<T>, cancel: () => void): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      let finished = false;
      try {
        yield* source;
        finished = true;
      } finally {
        if (!finished) cancel();
      }
    },
  };
}

function toRaftlogError(error: unknown): RaftlogError {
  return isServiceError(error) ? fromServiceError(error) : RaftlogError.from(error);
}

/** The call's metadata; a call made while serving another carries that call's request id on. */
function toMetadata(init: CallOptions['metadata']): Metadata {
  if (init instanceof Metadata) return withRequestId(init);
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(init ?? {})) metadata.set(key, value);
  return withRequestId(metadata);
}

function grpcOptions(options: CallOptions, clock: Clock): GrpcCallOptions {
  const limits: number[] = [];
  if (options.timeoutMs !== undefined) limits.push(clock.now() + options.timeoutMs);
  if (options.deadline !== undefined) limits.push(Number(options.deadline));
  return limits.length === 0 ? {} : { deadline: Math.min(...limits) };
}

function linkSignal(signal: AbortSignal | undefined, cancel: () => void): void {
  if (signal === undefined) return;
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
}
