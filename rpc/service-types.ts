import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { Metadata } from '@grpc/grpc-js';
import type { CallContext } from './call-context.js';

export type AnyService = GenService<GenServiceMethods>;
export type MethodsOf<S> = S extends GenService<infer M> ? M : never;

type In<M> = M extends { input: infer I extends DescMessage } ? MessageShape<I> : never;
type InInit<M> = M extends { input: infer I extends DescMessage } ? MessageInitShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageShape<O> : never;
type OutInit<M> = M extends { output: infer O extends DescMessage } ? MessageInitShape<O> : never;

/** The handler a server supplies per method kind. Responses may be plain init objects. */
export type Handler<M> = M extends { methodKind: 'unary' }
  ? (request: In<M>, context: CallContext) => Promise<OutInit<M>>
  : M extends { methodKind: 'server_streaming' }
    ? (request: In<M>, context: CallContext) => AsyncIterable<OutInit<M>>
    : M extends { methodKind: 'bidi_streaming' }
      ? (requests: AsyncIterable<In<M>>, context: CallContext) => AsyncIterable<OutInit<M>>
      : M extends { methodKind: 'client_streaming' }
        ? (requests: AsyncIterable<In<M>>, context: CallContext) => Promise<OutInit<M>>
        : never;

/** Methods left out answer UNIMPLEMENTED. */
export type ServiceImpl<S> = { [K in keyof MethodsOf<S>]?: Handler<MethodsOf<S>[K]> };

export interface CallOptions {
  /** Fails the call with TIMEOUT after this many milliseconds. */
  readonly timeoutMs?: number;
  /** An absolute deadline (Date or ms since the epoch); the earlier of the two wins. */
  readonly deadline?: Date | number;
  /** Cancels the call; the server's handler sees its own signal abort. */
  readonly signal?: AbortSignal;
  /** Request headers. */
  readonly metadata?: Metadata | Readonly<Record<string, string>>;
}

export interface BidiCall<Req, Res> {
  /** Resolves once the message is handed to the transport; waits while the transport's buffer is full. */
  send(request: Req): Promise<void>;
  /** Half-closes: no more requests; responses keep coming. */
  end(): void;
  cancel(): void;
  /** The responses; leaving the loop early cancels the call. */
  readonly responses: AsyncIterable<Res>;
}

/** The client a service descriptor yields, one typed function per method. */
export type ServiceClient<S> = {
  [K in keyof MethodsOf<S>]: MethodsOf<S>[K] extends { methodKind: 'unary' }
    ? (request: InInit<MethodsOf<S>[K]>, options?: CallOptions) => Promise<Out<MethodsOf<S>[K]>>
    : MethodsOf<S>[K] extends { methodKind: 'server_streaming' }
      ? (request: InInit<MethodsOf<S>[K]>, options?: CallOptions) => AsyncIterable<Out<MethodsOf<S>[K]>>
      : MethodsOf<S>[K] extends { methodKind: 'bidi_streaming' }
        ? (options?: CallOptions) => BidiCall<InInit<MethodsOf<S>[K]>, Out<MethodsOf<S>[K]>>
        : MethodsOf<S>[K] extends { methodKind: 'client_streaming' }
          ? (
              requests: AsyncIterable<InInit<MethodsOf<S>[K]>>,
              options?: CallOptions,
            ) => Promise<Out<MethodsOf<S>[K]>>
          : never;
} & { close(): void };
