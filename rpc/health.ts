import {
  HealthCheckResponse_ServingStatus as ServingStatus,
  type Health,
} from '../proto/gen/grpc/health/v1/health_pb.js';
import { assert, RaftlogError } from '../lib/index.js';
import type { CallContext } from './call-context.js';
import type { ServiceImpl } from './service-types.js';

export { ServingStatus };

/**
 * grpc.health.v1 for probes (Kubernetes, grpc-health-probe, load balancers). The empty service name
 * stands for the node as a whole (SERVING from the start; the server flips it on shutdown). Watchers are bounded; each sees the current status, then changes.
 */
export class HealthStatusBoard {
  private readonly statuses = new Map<string, ServingStatus>([['', ServingStatus.SERVING]]);
  private readonly providers = new Map<string, () => ServingStatus>();
  private readonly watchers = new Set<() => void>();
  private stopping = false;

  constructor(readonly watchersMax = 256) {
    assert(Number.isSafeInteger(watchersMax) && watchersMax > 0, 'watchersMax must be positive');
  }

  set(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const wake of this.watchers) wake();
  }

  /**
   * A service whose status is computed when asked (a Check, or a watcher woken by any change), for
   * conditions that have no event of their own, such as hearing from a quorum.
   */
  setProvider(service: string, provider: () => ServingStatus): void {
    this.providers.set(service, provider);
    for (const wake of this.watchers) wake();
  }

  /** On shutdown: every service reports NOT_SERVING so probes drain traffic first. */
  setAllNotServing(): void {
    this.stopping = true;
    for (const service of this.statuses.keys()) this.statuses.set(service, ServingStatus.NOT_SERVING);
    for (const wake of this.watchers) wake();
  }

  get(service: string): ServingStatus {
    const provider = this.providers.get(service);
    if (provider !== undefined) return this.stopping ? ServingStatus.NOT_SERVING : provider();
    return this.statuses.get(service) ?? ServingStatus.SERVICE_UNKNOWN;
  }

  impl(): ServiceImpl<typeof Health> {
    return {
      // An unknown service answers SERVICE_UNKNOWN in the body rather than the spec's NOT_FOUND status:
      // every raftlog failure carries a raftlog code, and none of them means "no such service".
      check: (req) => Promise.resolve({ status: this.get(req.service) }),
      watch: (req, ctx) => this.watch(req.service, ctx),
    };
  }

  private async *watch(service: string, ctx: CallContext): AsyncIterable<{ status: ServingStatus }> {
    if (this.watchers.size >= this.watchersMax) {
      throw new RaftlogError('RESOURCE_EXHAUSTED', `at most ${this.watchersMax} health watchers`);
    }
    let changed = (): void => {};
    const wake = (): void => changed();
    this.watchers.add(wake);
    ctx.signal.addEventListener('abort', wake, { once: true });
    try {
      let last: ServingStatus | undefined;
      while (!ctx.signal.aborted) {
        const current = this.get(service);
        if (current !== last) yield { status: (last = current) };
        await new Promise<void>((resolve) => (changed = resolve));
      }
    } finally {
      this.watchers.delete(wake);
      ctx.signal.removeEventListener('abort', wake);
    }
  }
}
