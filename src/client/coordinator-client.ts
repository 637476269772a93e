import { RaftlogError, type ErrorCode } from '../../lib/index.js';
import type { ServiceClient } from '../../rpc/index.js';
import { CoordinatorKind, type BrokerService } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { delay } from './delay.js';
import { toRaftlogError } from './errors.js';
import type { RaftlogClient } from './raftlog-client.js';
import { decideRetry, defaultRetryOptions, type RetryOptions } from './retry-policy.js';

export type CoordinatorKey = { readonly kind: 'group' | 'transaction'; readonly key: string };

export type CoordinatorCall<T> = (
  broker: ServiceClient<typeof BrokerService>,
  timeoutMs: number,
) => Promise<T>;

/** Codes after which the cached coordinator address is forgotten and looked up again. */
const movedCodes: ReadonlySet<ErrorCode> = new Set([
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'NOT_LEADER',
  'LEADER_NOT_AVAILABLE',
  'UNAVAILABLE',
  'SHUTTING_DOWN',
  'TIMEOUT',
]);

/**
 * Retriable, but an answer the group protocol must act on rather than repeat: the member has to
 * rejoin to learn the new generation.
 */
const protocolCodes: ReadonlySet<ErrorCode> = new Set(['REBALANCE_IN_PROGRESS']);

export interface CoordinatorCallOptions {
  /** Retries included; default 30 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Calls the coordinator of a group or transactional id: found with FindCoordinator at any node and
 * cached until it answers NOT_COORDINATOR or cannot be reached. Any node forwards these calls to
 * the coordinator anyway, so a lookup that fails falls back to the next known node.
 */
export class CoordinatorClient {
  private address: string | undefined;
  private turn = 0;

  constructor(
    private readonly client: Pick<RaftlogClient, 'broker' | 'addresses'>,
    private readonly target: CoordinatorKey,
    private readonly retry: RetryOptions = defaultRetryOptions,
  ) {}

  /** Runs `fn` at the coordinator, retrying retriable errors (but REBALANCE_IN_PROGRESS) until the deadline. */
  async call<T>(fn: CoordinatorCall<T>, options: CoordinatorCallOptions = {}): Promise<T> {
    const deadlineMs = Date.now() + (options.timeoutMs ?? 30_000);
    for (let attempt = 0; ; attempt++) {
      try {
        const address = await this.coordinator(deadlineMs, options.signal);
        return await fn(this.client.broker(address), Math.max(1, deadlineMs - Date.now()));
      } catch (thrown) {
        const error = toRaftlogError(thrown);
        if (movedCodes.has(error.code)) this.address = undefined;
        if (protocolCodes.has(error.code) || options.signal?.aborted === true) throw error;
        const decision = decideRetry(error, attempt, Date.now(), deadlineMs, this.retry);
        if (!decision.retry) throw error;
        await delay(decision.delayMs, options.signal);
      }
    }
  }

  /** Forgets the cached coordinator (after a failure seen outside `call`). */
  forget(): void {
    this.address = undefined;
  }

  private async coordinator(deadlineMs: number, signal: AbortSignal | undefined): Promise<string> {
    if (this.address !== undefined) return this.address;
    const any = this.nextNode();
    try {
      const found = await this.client.broker(any).findCoordinator(
        {
          kind: this.target.kind === 'group' ? CoordinatorKind.GROUP : CoordinatorKind.TRANSACTION,
          key: this.target.key,
        },
        { timeoutMs: Math.max(1, Math.min(5_000, deadlineMs - Date.now())), ...(signal ? { signal } : {}) },
      );
      this.address = found.address === '' ? any : found.address;
    } catch (thrown) {
      const error = toRaftlogError(thrown);
      // Any node forwards coordinator calls, so the one that answered can serve this attempt.
      if (error.code !== 'UNIMPLEMENTED' && error.code !== 'COORDINATOR_NOT_AVAILABLE') throw error;
      return any;
    }
    return this.address;
  }

  private nextNode(): string {
    const all = this.client.addresses();
    const address = all[this.turn++ % Math.max(1, all.length)];
    if (address === undefined) throw new RaftlogError('UNAVAILABLE', 'no node address known');
    return address;
  }
}
