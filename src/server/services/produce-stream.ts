import type { MessageInitShape } from '@bufbuild/protobuf';
import { RaftlogError } from '../../../lib/index.js';
import type { CallContext } from '../../../rpc/index.js';
import type {
  ProduceStreamRequest,
  ProduceStreamResponseSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { clientError, errorDetail } from './error-detail.js';
import { produceOne } from './produce.js';
import { ResultWindow } from './result-window.js';
import type { ServiceDeps } from './service-deps.js';
import { partitionKey } from './validate-request.js';

type Response = MessageInitShape<typeof ProduceStreamResponseSchema>;

/**
 * ProduceStream: appends start as soon as a batch is read (so many are in flight), answers leave
 * per partition in request order, and reading pauses while the window is full, which leaves the rest
 * to the adapter's bounded reader and HTTP/2 flow control. A failed batch is answered with its error;
 * only a broken request stream ends the call, after the answers already owed.
 */
export async function* produceStream(
  deps: ServiceDeps,
  requests: AsyncIterable<ProduceStreamRequest>,
  context: CallContext,
): AsyncGenerator<Response> {
  const window = new ResultWindow<Response>(
    deps.limits.produceStreamInflightMax,
    deps.limits.produceStreamInflightBytesMax,
  );
  const wake = (): void => window.changes.notify();
  context.signal.addEventListener('abort', wake, { once: true });
  const reader = { done: false, failure: undefined as RaftlogError | undefined, stopped: false };
  void readRequests(deps, requests, context.signal, window, reader);
  try {
    for (;;) {
      const entry = window.next();
      if (entry?.result !== undefined) {
        yield entry.result;
        window.release(entry);
        continue;
      }
      if (context.signal.aborted || (reader.done && window.size === 0)) break;
      await window.changes.changed();
    }
  } finally {
    reader.stopped = true;
    context.signal.removeEventListener('abort', wake);
    wake();
  }
  if (reader.failure !== undefined && !context.signal.aborted) throw reader.failure;
}

/** Reads a batch only when the window has room, so at most the window's worth is ever held. */
async function readRequests(
  deps: ServiceDeps,
  requests: AsyncIterable<ProduceStreamRequest>,
  signal: AbortSignal,
  window: ResultWindow<Response>,
  reader: { done: boolean; failure: RaftlogError | undefined; stopped: boolean },
): Promise<void> {
  const iterator = requests[Symbol.asyncIterator]();
  try {
    for (;;) {
      while (!window.hasRoom() && !reader.stopped && !signal.aborted) await window.changes.changed();
      if (reader.stopped || signal.aborted) break;
      const next = await iterator.next();
      if (next.done === true) return;
      start(deps, next.value, signal, window);
    }
    await iterator.return?.();
  } catch (error) {
    reader.failure = RaftlogError.from(error);
  } finally {
    reader.done = true;
    window.changes.notify();
  }
}

function start(
  deps: ServiceDeps,
  request: ProduceStreamRequest,
  signal: AbortSignal,
  window: ResultWindow<Response>,
): void {
  const { correlationId, produce } = request;
  const topic = produce?.topic ?? '';
  const partition = produce?.partition ?? 0;
  const entry = window.add(partitionKey(topic, partition), produce?.batch.length ?? 0);
  const appended =
    produce === undefined
      ? Promise.reject(new RaftlogError('INVALID_ARGUMENT', 'a ProduceStreamRequest needs its produce'))
      : produceOne(deps.api, deps.limits, produce, signal);
  void appended.then(
    (result) => window.settle(entry, { correlationId, result }),
    (error: unknown) => {
      const failure = errorDetail(clientError(error, deps.logger, 'ProduceStream append'));
      window.settle(entry, { correlationId, result: { topic, partition, error: failure } });
    },
  );
}
