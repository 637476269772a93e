import type { EventEmitter } from 'node:events';
import type { PeerCertificate } from 'node:tls';
import type { Deadline, Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { RaftlogError, type Clock } from '../lib/index.js';
import { requestIdOf, responseMetadata } from './request-scope.js';
import type { ResponseHold } from './response-budget.js';
import { callBudgetOf } from './response-budget-interceptor.js';

/** grpc-js 1.14 does not export the type of getAuthContext()'s answer. */
export type CallAuthContext = ReturnType<ServerUnaryCall<unknown, unknown>['getAuthContext']>;

type ServerSurfaceCall = EventEmitter & {
  metadata: Metadata;
  sendMetadata(metadata: Metadata): void;
  getDeadline(): Deadline;
  getPeer(): string;
  getAuthContext(): CallAuthContext;
};

/** What a handler knows about its call besides the request. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes or the connection drops. */
  readonly signal: AbortSignal;
  /** Milliseconds since the epoch, or Infinity without a deadline. */
  readonly deadlineMs: number;
  /** The request metadata (headers) the client sent. */
  readonly metadata: Metadata;
  /** The client's address as grpc-js reports it (127.0.0.1:54321). */
  readonly peer: string;
  /** The client's certificate, only when TLS verified it against the listener's CA. */
  readonly peerCertificate: PeerCertificate | undefined;
  /** The client's x-request-id, or one made up for the call; sent back in the response metadata. */
  readonly requestId: string;
  /** The connection's TLS state: a peer certificate only when the handshake verified it. */
  readonly authContext: () => CallAuthContext;
  /**
   * Reserves room for a response's bytes on the call's connection (response-budget.ts), waiting while
   * the connection's earlier responses have not gone out; rejects when the call is cancelled or ends.
   */
  readonly holdResponseBytes: (bytes: number) => Promise<ResponseHold>;
}

/**
 * grpc-js emits 'cancelled' on cancel and disconnect; the deadline gets its own timer so the handler
 * learns of it even when grpc-js only ends the HTTP/2 stream.
 */
export function callContext(
  call: ServerSurfaceCall,
  clock: Clock,
): { context: CallContext; done: () => void } {
  const requestId = requestIdOf(call.metadata);
  call.sendMetadata(responseMetadata(requestId));
  const controller = new AbortController();
  const budget = callBudgetOf(call.metadata);
  const cancel = (): void => controller.abort(new RaftlogError('CANCELLED', 'the client cancelled the call'));
  const expire = (): void => controller.abort(new RaftlogError('TIMEOUT', 'the call passed its deadline'));
  call.once('cancelled', cancel);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const finite = Number.isFinite(deadlineMs);
  const timer = finite ? clock.after(Math.max(0, deadlineMs - clock.now()), expire) : undefined;
  const context: CallContext = {
    signal: controller.signal,
    deadlineMs: finite ? deadlineMs : Number.POSITIVE_INFINITY,
    metadata: call.metadata,
    peer: call.getPeer(),
    peerCertificate: call.getAuthContext().sslPeerCertificate,
    requestId,
    authContext: () => call.getAuthContext(),
    holdResponseBytes: (bytes) => budget.reserve(bytes, controller.signal),
  };
  return {
    context,
    done: () => {
      budget.handlerDone();
      timer?.cancel();
      call.off('cancelled', cancel);
    },
  };
}
