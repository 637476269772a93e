import type { SecurityState } from '../../../cluster/controller/index.js';
import { anyPrincipal } from '../../security/index.js';
import { TokenBucket } from './token-bucket.js';

export type QuotaKind = 'produce' | 'fetch';

/** Buckets kept per node; past this the least recently used principal's bucket is dropped. */
const bucketsMax = 10_000;

/**
 * Per node and principal, a token bucket per direction at the rate the controller holds. A principal
 * without a quota (its own or User:*'s) is never delayed; a changed quota applies to the next call.
 */
export class QuotaThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly state: () => SecurityState,
    private readonly now: () => number,
  ) {}

  /**
   * How long to hold back the answer to `bytes` of this principal's traffic, in ms. A quota set for
   * User:* is the default of every principal without one of its own, each in a bucket of its own (as
   * Kafka's default user quota).
   */
  delayMs(principal: string, kind: QuotaKind, bytes: number): number {
    const quotas = this.state().quotas;
    const quota = quotas.get(principal) ?? quotas.get(anyPrincipal);
    const rate = kind === 'produce' ? quota?.produceBytesPerSec : quota?.fetchBytesPerSec;
    const key = `${kind}|${principal}`;
    if (rate === undefined || rate === 0) {
      this.buckets.delete(key);
      return 0;
    }
    return this.bucket(key, rate).take(bytes, this.now());
  }

  private bucket(key: string, rate: number): TokenBucket {
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = new TokenBucket(rate, this.now());
      if (this.buckets.size >= bucketsMax) this.buckets.delete(this.buckets.keys().next().value ?? '');
    } else {
      bucket.setRate(rate);
      this.buckets.delete(key);
    }
    this.buckets.set(key, bucket);
    return bucket;
  }
}
