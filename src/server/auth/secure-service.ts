import { setTimeout as sleep } from 'node:timers/promises';
import type { DescMethod } from '@bufbuild/protobuf';
import type { AnyService, CallContext, ServiceImpl } from '../../../rpc/index.js';
import { RaftlogError } from '../../../lib/index.js';
import { clusterResourceName } from '../../../cluster/controller/index.js';
import { topicAccess, type AccessRule, type MethodRule } from './access-policy.js';
import type { AuthGuard } from './auth-guard.js';
import { setCallPrincipal } from './call-principal.js';
import { itemAuthorizations } from './item-authorization.js';
import { quotaMeasures, type QuotaMeasure } from './quota-measure.js';

type AnyHandler = (input: unknown, context: CallContext) => unknown;
type CanDescribe = (type: 'topic' | 'group', name: string) => boolean;
type Filter = (response: never, can: CanDescribe) => unknown;

/** Answers that list topics or groups keep only those the caller may describe, as Kafka's do. */
const responseFilters: Record<string, Filter> = {
  metadata: (r: { topics: { name: string }[] }, can) => ({
    ...r,
    topics: r.topics.filter((t) => can('topic', t.name)),
  }),
  listTopics: (r: { topics: { name: string }[] }, can) => ({
    ...r,
    topics: r.topics.filter((t) => can('topic', t.name)),
  }),
  listQueueGroups: (r: { partitions: { queues: string[] }[] }, can) => ({
    ...r,
    partitions: r.partitions.map((p) => ({ ...p, queues: p.queues.filter((q) => can('group', q)) })),
  }),
};

/** A method without a rule is for those allowed admin on the cluster. */
const adminOnly: AccessRule = () => [
  { operation: 'admin', resource: { type: 'cluster', name: clusterResourceName } },
];

interface Wrap {
  readonly guard: AuthGuard;
  readonly method: DescMethod;
  readonly rule: MethodRule;
  readonly handler: AnyHandler;
}

/**
 * The one choke point of authentication, authorization and quotas: every handler of a client-facing
 * service runs inside it. A call is authenticated before its handler starts; every request message
 * (each one of a stream) is authorized before the handler sees it; quota delays hold back the answer.
 */
export function secureService<S extends AnyService>(
  service: S,
  impl: ServiceImpl<S>,
  guard: AuthGuard,
  rules: Record<string, MethodRule>,
): ServiceImpl<S> {
  const out: Record<string, AnyHandler> = {};
  for (const method of service.methods) {
    const handler = (impl as Record<string, AnyHandler | undefined>)[method.localName];
    if (handler === undefined) continue;
    const rule = rules[method.localName] ?? adminOnly;
    out[method.localName] = wrap({ guard, method, rule, handler: handler.bind(impl) });
  }
  return out as ServiceImpl<S>;
}

function wrap(w: Wrap): AnyHandler {
  const measure = quotaMeasures[w.method.localName];
  const name = `${w.method.parent.name}.${w.method.name}`;
  const rule = ruleOf(w.rule);
  const check = (principal: string, request: unknown): void => {
    if (!isPublic(w.rule, request)) w.guard.authorize(principal, rule(request as never), name);
  };
  /** `request` is absent for client streams, which are never public. */
  const enter = (context: CallContext, request?: unknown): string => {
    const principal = request !== undefined && isPublic(w.rule, request) ? '' : w.guard.authenticate(context);
    setCallPrincipal(context, principal, () => w.guard.forwardHeaders(principal));
    return principal;
  };
  const streamIn = w.method.methodKind === 'bidi_streaming' || w.method.methodKind === 'client_streaming';
  const streamOut = w.method.methodKind === 'bidi_streaming' || w.method.methodKind === 'server_streaming';
  const gate = (principal: string, context: CallContext, input: unknown): unknown =>
    streamIn
      ? checkedStream(
          input as AsyncIterable<unknown>,
          (m) => check(principal, m),
          principal,
          w,
          measure,
          context,
        )
      : (check(principal, input), input);
  if (streamOut) {
    return async function* (input: unknown, context: CallContext) {
      const principal = enter(context, streamIn ? undefined : input);
      const responses = w.handler(gate(principal, context, input), context) as AsyncIterable<unknown>;
      for await (const response of responses)
        yield await held(w.guard, principal, measure, response, context);
    };
  }
  return async (input: unknown, context: CallContext) => {
    const principal = enter(context, streamIn ? undefined : input);
    const checked = gate(principal, context, input);
    const waitedMs = await paidDebt(w.guard, principal, measure, context);
    const response = await serve(w, principal, checked, context);
    const filter = responseFilters[w.method.localName];
    const filtered =
      filter === undefined ? response : filter(response as never, describable(w.guard, principal));
    if (measure?.on === 'next-call') return charged(w.guard, principal, measure, filtered, waitedMs);
    const bytes = measure?.on === 'request' ? measure.bytes(input as never) : undefined;
    return held(w.guard, principal, measure, filtered, context, bytes);
  };
}

/** The handler, or for a batch method authorized item by item, the handler over the admitted items. */
function serve(w: Wrap, principal: string, request: unknown, context: CallContext): Promise<unknown> {
  const items = itemAuthorizations[w.method.localName];
  if (items === undefined || !w.guard.required) return w.handler(request, context) as Promise<unknown>;
  const name = `${w.method.parent.name}.${w.method.name}`;
  const refusal = (topic: string): RaftlogError | undefined => {
    try {
      w.guard.authorize(principal, [topicAccess(topic, 'admin')], name);
      return undefined;
    } catch (error) {
      return RaftlogError.from(error);
    }
  };
  return items.call(
    request as never,
    (admitted) => w.handler(admitted, context) as Promise<unknown>,
    refusal,
  );
}

const ruleOf = (r: MethodRule): AccessRule =>
  r === 'public' ? () => [] : typeof r === 'function' ? r : r.rule;

function isPublic(r: MethodRule, request: unknown): boolean {
  return r === 'public' || (typeof r === 'object' && r.publicWhen(request as never));
}

const describable =
  (guard: AuthGuard, principal: string): CanDescribe =>
  (type, name) =>
    !guard.required || guard.authorizer.allows(principal, 'describe', { type, name });

async function* checkedStream(
  requests: AsyncIterable<unknown>,
  check: (message: unknown) => void,
  principal: string,
  w: Wrap,
  measure: QuotaMeasure | undefined,
  context: CallContext,
): AsyncIterable<unknown> {
  for await (const request of requests) {
    check(request);
    if (measure?.on === 'request')
      await hold(w.guard.quotas.delayMs(principal, measure.kind, measure.bytes(request as never)), context);
    yield request;
  }
}

/**
 * Holds a response back for the principal's quota and reports the delay in throttle_time_ms, as
 * Kafka does; never refuses or disconnects. `requestBytes` is given for produce (request-measured).
 */
async function held(
  guard: AuthGuard,
  principal: string,
  measure: QuotaMeasure | undefined,
  response: unknown,
  context: CallContext,
  requestBytes?: number,
): Promise<unknown> {
  if (measure === undefined || !guard.required) return response;
  if (measure.on === 'request' && requestBytes === undefined) return response;
  const bytes = requestBytes ?? measure.bytes(response as never);
  const delayMs = guard.quotas.delayMs(principal, measure.kind, bytes);
  if (delayMs === 0) return response;
  await hold(delayMs, context);
  return { ...(response as object), throttleTimeMs: delayMs };
}

/** For 'next-call' measures: waits out the principal's debt before the handler runs; the wait in ms. */
async function paidDebt(
  guard: AuthGuard,
  principal: string,
  measure: QuotaMeasure | undefined,
  context: CallContext,
): Promise<number> {
  if (measure?.on !== 'next-call' || !guard.required) return 0;
  const delayMs = guard.quotas.delayMs(principal, measure.kind, 0);
  await hold(delayMs, context);
  return delayMs;
}

/** For 'next-call' measures: books the response's bytes (the next call pays) and reports the wait. */
function charged(
  guard: AuthGuard,
  principal: string,
  measure: QuotaMeasure,
  response: unknown,
  waitedMs: number,
): unknown {
  if (!guard.required) return response;
  guard.quotas.delayMs(principal, measure.kind, measure.bytes(response as never));
  return waitedMs === 0 ? response : { ...(response as object), throttleTimeMs: waitedMs };
}

async function hold(delayMs: number, context: CallContext): Promise<void> {
  if (delayMs === 0) return;
  try {
    await sleep(delayMs, undefined, { signal: context.signal });
  } catch {
    throw new RaftlogError('CANCELLED', 'the call ended while held back by its quota');
  }
}
