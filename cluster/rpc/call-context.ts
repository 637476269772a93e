import type { EventEmitter } from 'node:events';
import type { Deadline, Metadata } from '@grpc/grpc-js';

type ServerSurfaceCall = EventEmitter & {
  metadata: Metadata;
  getDeadline(): Deadline;
  getPeer(): string;
};

/** What a handler knows about its call besides the request. */
export interface CallContext {
  /** Aborted when the client cancels, the deadline passes or the connection drops. */
  readonly signal: AbortSignal;
  /** Milliseconds since the epoch, or Infinity without a deadline. */
  readonly deadlineMs: number;
  readonly metadata: Metadata;
  readonly peer: string;
}

export function callContext(call: ServerSurfaceCall): { context: CallContext; done: () => void } {
  const controller = new AbortController();
  const abort = (): void => controller.abort(new Error('call cancelled'));
  call.once('cancelled', abort);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  const finite = Number.isFinite(deadlineMs);
  const timer = finite ? setTimeout(abort, Math.max(0, deadlineMs - Date.now())) : undefined;
  timer?.unref();
  const context: CallContext = {
    signal: controller.signal,
    deadlineMs: finite ? deadlineMs : Number.POSITIVE_INFINITY,
    metadata: call.metadata,
    peer: call.getPeer(),
  };
  return {
    context,
    done: () => {
      clearTimeout(timer);
      call.off('cancelled', abort);
    },
  };
}
