import type { Interceptor } from '@grpc/grpc-js';
import { headersInterceptor } from '../../rpc/index.js';
import { ScramTokenSource, type UserCredentials } from '../client/index.js';

export interface ProbeAuth {
  /** For the probe's own gRPC clients; none without a user. */
  readonly interceptors: Interceptor[] | undefined;
  close(): void;
}

/**
 * Probes and hooks (`health --ready`, `hand-off`) make raw calls to one node; with a user
 * (--user/--password or RAFTLOG_USER/RAFTLOG_PASSWORD, as in the Kubernetes auth component) they log
 * in at that node first and send its token.
 */
export function probeAuth(address: string, auth: UserCredentials | undefined): ProbeAuth {
  if (auth === undefined) return { interceptors: undefined, close: () => undefined };
  const tokens = new ScramTokenSource([address], auth);
  return { interceptors: [headersInterceptor(() => tokens.headers())], close: () => tokens.close() };
}
