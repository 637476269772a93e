import {
  Client,
  credentials,
  Metadata,
  type CallOptions as GrpcCallOptions,
  type ChannelOptions,
  type ClientDuplexStream,
  type ServiceError,
} from '@grpc/grpc-js';
import type { DescMethod } from '@bufbuild/protobuf';
import { RaftlogError } from '../../lib/index.js';
import { createServiceDefinition } from './service-definition.js';
import type { AnyService, BidiCall, CallOptions, ServiceClient } from './service-types.js';
import { fromServiceError } from './status-mapping.js';

export interface ClientOptions {
  /** Largest message this client sends or accepts, in bytes. */
  messageBytesMax?: number;
  channelOptions?: ChannelOptions;
}

/** A typed client for one service at one address (insecure: loopback and in-cluster use). */
export function createClient<S extends AnyService>(
  service: S,
  address: string,
  options: ClientOptions = {},
): ServiceClient<S> {
  const limit = options.messageBytesMax ?? 16 * 1024 * 1024;
  const client = new Client(address, credentials.createInsecure(), {
    'grpc.max_send_message_length': limit,
    'grpc.max_receive_message_length': limit,
    ...options.channelOptions,
  });
  const definition = createServiceDefinition(service);
  const out: Record<string, unknown> = { close: () => client.close() };
  for (const method of service.methods) {
    const def = definition[method.localName];
    if (def === undefined) continue;
    out[method.localName] = bindMethod(
      client,
      method,
      def.path,
      def.requestSerialize,
      def.responseDeserialize,
    );
  }
  return out as ServiceClient<S>;
}

function bindMethod(
  client: Client,
  method: DescMethod,
  path: string,
  serialize: (value: unknown) => Buffer,
  deserialize: (frame: Buffer) => unknown,
): unknown {
  switch (method.methodKind) {
    case 'unary':
      return (request: unknown, options: CallOptions = {}) =>
        new Promise((resolve, reject) => {
          const call = client.makeUnaryRequest(
            path,
            serialize,
            deserialize,
            request,
            new Metadata(),
            grpcOptions(options),
            (error, response) => (error ? reject(fromServiceError(error)) : resolve(response)),
          );
          linkSignal(options.signal, () => call.cancel());
        });
    case 'server_streaming':
      return (request: unknown, options: CallOptions = {}) => {
        const call = client.makeServerStreamRequest(
          path,
          serialize,
          deserialize,
          request,
          new Metadata(),
          grpcOptions(options),
        );
        linkSignal(options.signal, () => call.cancel());
        return mapErrors(call as AsyncIterable<unknown>);
      };
    case 'bidi_streaming':
      return (options: CallOptions = {}) => {
        const call = client.makeBidiStreamRequest(
          path,
          serialize,
          deserialize,
          new Metadata(),
          grpcOptions(options),
        );
        linkSignal(options.signal, () => call.cancel());
        return bidiCall(call);
      };
    case 'client_streaming':
      return () => {
        throw new RaftlogError('UNIMPLEMENTED', `client streaming is not used: ${path}`);
      };
  }
}

function bidiCall(call: ClientDuplexStream<unknown, unknown>): BidiCall<unknown, unknown> {
  return {
    send: (request) =>
      new Promise((resolve, reject) => {
        if (call.write(request)) return resolve();
        const onError = (error: ServiceError): void => reject(fromServiceError(error));
        call.once('error', onError);
        call.once('drain', () => {
          call.off('error', onError);
          resolve();
        });
      }),
    end: () => call.end(),
    cancel: () => call.cancel(),
    responses: mapErrors(call as AsyncIterable<unknown>),
  };
}

async function* mapErrors(source: AsyncIterable<unknown>): AsyncIterable<unknown> {
  try {
    yield* source;
  } catch (error) {
    throw isServiceError(error) ? fromServiceError(error) : RaftlogError.from(error);
  }
}

function isServiceError(error: unknown): error is ServiceError {
  return error instanceof Error && typeof (error as Partial<ServiceError>).code === 'number';
}

function grpcOptions(options: CallOptions): GrpcCallOptions {
  return options.timeoutMs === undefined ? {} : { deadline: Date.now() + options.timeoutMs };
}

function linkSignal(signal: AbortSignal | undefined, cancel: () => void): void {
  if (signal === undefined) return;
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
}
