import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { Metadata } from '@grpc/grpc-js';

/** The header a client may set; every answer carries it back, and forwarded calls pass it on. */
export const requestIdHeader = 'x-request-id';
/** Printable ASCII up to this many characters is kept; anything else gets a generated id. */
const requestIdCharsMax = 128;
const acceptable = new RegExp(`^[\\x21-\\x7e]{1,${requestIdCharsMax}}$`);

/** What the logs of one served call carry: its request id and method, and the Raft group it touched. */
export interface RequestScope {
  readonly requestId: string;
  readonly method: string;
  group?: number;
  term?: number;
  /** The error code the call failed with; unset while it succeeds. */
  code?: string;
}

/** Entered only for services registered with `requestScopes` (server-adapter.ts says what that costs). */
const storage = new AsyncLocalStorage<RequestScope>();

/** The client's id when it sent a usable one, else a fresh one. */
export function requestIdOf(metadata: Metadata): string {
  const sent = metadata.get(requestIdHeader)[0];
  return typeof sent === 'string' && acceptable.test(sent) ? sent : randomUUID();
}

/** Runs a handler with its scope, which every log line and outgoing call made on its behalf sees. */
export function runInRequestScope<T>(scope: RequestScope, run: () => T): T {
  return storage.run(scope, run);
}

/** Fields for a log line written while serving a call (none outside one). */
export function requestLogFields(): Record<string, unknown> {
  const scope = storage.getStore();
  if (scope === undefined) return {};
  const { requestId, method, group, term } = scope;
  return {
    requestId,
    method,
    ...(group === undefined ? {} : { group }),
    ...(term === undefined ? {} : { term }),
  };
}

/** Records which Raft group (and, for a proposal, its term) the current call went to. */
export function noteRequestGroup(group: number, term?: number): void {
  const scope = storage.getStore();
  if (scope === undefined) return;
  scope.group = group;
  if (term !== undefined) scope.term = term;
}

/** Adds the current call's request id to an outgoing call's metadata, unless it names one. */
export function withRequestId(metadata: Metadata): Metadata {
  const scope = storage.getStore();
  if (scope !== undefined && metadata.get(requestIdHeader).length === 0) {
    metadata.set(requestIdHeader, scope.requestId);
  }
  return metadata;
}

/** The metadata an answer starts with. */
export function responseMetadata(requestId: string): Metadata {
  const metadata = new Metadata();
  metadata.set(requestIdHeader, requestId);
  return metadata;
}
