import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { CallContext } from './call-context.js';

export type AnyService = GenService<GenServiceMethods>;
export type MethodsOf<S> = S extends GenService<infer M> ? M : never;

type In<M> = M extends { input: infer I extends DescMessage } ? MessageShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageInitShape<O> : never;
type OutShape<M> = M extends { output: infer O extends DescMessage } ? MessageShape<O> : never;
type InInit<M> = M extends { input: infer I extends DescMessage } ? MessageInitShape<I> : never;

/** The handler a server supplies per method kind. Responses may be plain init objects. */
export type Handler<M> = M extends { methodKind: 'unary' }
  ? (request: In<M>, context: CallContext) => Promise<Out<M>>
  : M extends { methodKind: 'server_streaming' }
    ? (request: In<M>, context: CallContext) => AsyncIterable<Out<M>>
    : M extends { methodKind: 'bidi_streaming' }
      ? (requests: AsyncIterable<In<M>>, context: CallContext) => AsyncIterable<Out<M>>
      : M extends { methodKind: 'client_streaming' }
        ? (requests: AsyncIterable<In<M>>, context: CallContext) => Promise<Out<M>>
        : never;

/** Methods left out answer UNIMPLEMENTED. */
export type ServiceImpl<S> = { [K in keyof MethodsOf<S>]?: Handler<MethodsOf<S>[K]> };

export interface CallOptions {
  /** Fails the call with TIMEOUT after this many milliseconds. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface BidiCall<Req, Res> {
  /** Resolves once the frame is handed to the transport (waits while its buffer is full). */
  send(request: Req): Promise<void>;
  end(): void;
  cancel(): void;
  responses: AsyncIterable<Res>;
}

/** The client a service descriptor yields, one typed function per method. */
export type ServiceClient<S> = {
  [K in keyof MethodsOf<S>]: MethodsOf<S>[K] extends { methodKind: 'unary' }
    ? (request: InInit<MethodsOf<S>[K]>, options?: CallOptions) => Promise<OutShape<MethodsOf<S>[K]>>
    : MethodsOf<S>[K] extends { methodKind: 'server_streaming' }
      ? (request: InInit<MethodsOf<S>[K]>, options?: CallOptions) => AsyncIterable<OutShape<MethodsOf<S>[K]>>
      : MethodsOf<S>[K] extends { methodKind: 'bidi_streaming' }
        ? (options?: CallOptions) => BidiCall<InInit<MethodsOf<S>[K]>, OutShape<MethodsOf<S>[K]>>
        : never;
} & { close(): void };
