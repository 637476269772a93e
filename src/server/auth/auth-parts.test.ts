import { describe, expect, it } from 'vitest';
import { aclKey, emptySecurityState, type AclRule } from '../../../cluster/controller/index.js';
import type { CallAuthContext } from '../../../rpc/index.js';
import { brokerAccess } from './access-policy.js';
import { AclAuthorizer } from './acl-authorizer.js';
import { signToken, verifyToken } from './session-token.js';
import { tlsPrincipal } from './tls-identity.js';
import { QuotaThrottle } from './quota-throttle.js';
import { TokenBucket } from './token-bucket.js';

const rule = (r: Partial<AclRule>): AclRule => ({
  principal: 'User:alice',
  resourceType: 'topic',
  resourceName: 'orders',
  patternType: 'literal',
  operation: 'produce',
  ...r,
});

function authorizer(rules: AclRule[], superusers: string[] = []): AclAuthorizer {
  const state = { ...emptySecurityState(), acls: new Map(rules.map((r) => [aclKey(r), r])) };
  return new AclAuthorizer(() => state, new Set(superusers));
}

describe('ACL matching', () => {
  it('matches literal names, prefixes and the * name, per resource type', () => {
    const a = authorizer([
      rule({}),
      rule({ resourceName: 'logs-', patternType: 'prefix', operation: 'consume' }),
      rule({ resourceType: 'group', resourceName: '*', operation: 'consume' }),
    ]);
    expect(a.allows('User:alice', 'produce', { type: 'topic', name: 'orders' })).toBe(true);
    expect(a.allows('User:alice', 'produce', { type: 'topic', name: 'orders2' })).toBe(false);
    expect(a.allows('User:alice', 'consume', { type: 'topic', name: 'logs-app' })).toBe(true);
    expect(a.allows('User:alice', 'consume', { type: 'topic', name: 'log' })).toBe(false);
    expect(a.allows('User:alice', 'consume', { type: 'group', name: 'any' })).toBe(true);
    expect(a.allows('User:alice', 'consume', { type: 'transactional-id', name: 'any' })).toBe(false);
    expect(a.allows('User:bob', 'produce', { type: 'topic', name: 'orders' })).toBe(false);
  });

  it('lets produce, consume and alter imply describe, and admin imply everything', () => {
    const a = authorizer([rule({}), rule({ resourceName: 'x', operation: 'admin' })]);
    expect(a.allows('User:alice', 'describe', { type: 'topic', name: 'orders' })).toBe(true);
    expect(a.allows('User:alice', 'consume', { type: 'topic', name: 'orders' })).toBe(false);
    expect(a.allows('User:alice', 'alter', { type: 'topic', name: 'orders' })).toBe(false);
    for (const op of ['produce', 'consume', 'describe', 'alter', 'admin'] as const) {
      expect(a.allows('User:alice', op, { type: 'topic', name: 'x' })).toBe(true);
    }
  });

  it('lets a consumer of a queue group delete it only with alter on its topic', () => {
    const consumer = [rule({ resourceType: 'group', resourceName: 'q', operation: 'consume' })];
    const owner = [...consumer, rule({ operation: 'alter' })];
    const request = { queue: 'q', topic: 'orders', partitions: [] } as never;
    const allowed = (rules: AclRule[]) =>
      brokerAccess.deleteQueueGroup!(request).every((x) =>
        authorizer(rules).allows('User:alice', x.operation, x.resource),
      );
    expect(allowed(consumer)).toBe(false);
    expect(allowed([rule({ operation: 'alter' })])).toBe(false);
    expect(allowed(owner)).toBe(true);
  });

  it('applies User:* rules to everyone and lets superusers and nodes do anything', () => {
    const a = authorizer([rule({ principal: 'User:*', operation: 'consume' })], ['User:root']);
    expect(a.allows('User:zoe', 'consume', { type: 'topic', name: 'orders' })).toBe(true);
    expect(a.allows('User:zoe', 'produce', { type: 'topic', name: 'orders' })).toBe(false);
    expect(a.allows('User:root', 'admin', { type: 'cluster', name: 'cluster' })).toBe(true);
    expect(a.allows('Node:2', 'admin', { type: 'cluster', name: 'cluster' })).toBe(true);
  });
});

describe('TokenBucket', () => {
  it('passes a burst, then delays by the time the debt takes to pay back', () => {
    const bucket = new TokenBucket(1000, 0);
    expect(bucket.take(1000, 0)).toBe(0);
    expect(bucket.take(500, 0)).toBe(500);
    // After waiting those 500 ms the debt is paid: the next 1000 bytes cost one second.
    expect(bucket.take(1000, 500)).toBe(1000);
  });

  it('converges to the configured rate for a caller that waits as told', () => {
    const bucket = new TokenBucket(10_000, 0);
    let now = 0;
    let bytes = 0;
    while (now < 60_000) {
      now += bucket.take(4096, now) + 1;
      bytes += 4096;
    }
    expect(bytes / (now / 1000)).toBeGreaterThan(9_500);
    expect(bytes / (now / 1000)).toBeLessThan(10_500);
  });

  it('applies a lowered rate at once, without granting the old burst', () => {
    const bucket = new TokenBucket(1_000_000, 0);
    bucket.setRate(1000);
    expect(bucket.take(2000, 0)).toBe(1000);
  });
});

describe('QuotaThrottle', () => {
  const quota = (principal: string, rate: number) =>
    [principal, { principal, produceBytesPerSec: rate, fetchBytesPerSec: rate }] as const;

  it("gives User:*'s quota to every principal without one of its own, each its own bucket", () => {
    const state = { ...emptySecurityState(), quotas: new Map([quota('User:*', 1000), quota('User:vip', 0)]) };
    const throttle = new QuotaThrottle(
      () => state,
      () => 0,
    );
    expect(throttle.delayMs('User:a', 'produce', 2000)).toBe(1000);
    expect(throttle.delayMs('User:b', 'produce', 2000)).toBe(1000);
    expect(throttle.delayMs('User:b', 'fetch', 1000)).toBe(0);
    // A quota of its own, here unlimited, wins over the default.
    expect(throttle.delayMs('User:vip', 'produce', 1_000_000)).toBe(0);
  });
});

describe('session tokens', () => {
  const key = Buffer.alloc(32, 1);
  it('round-trips claims and refuses another key, a changed payload or garbage', () => {
    const token = signToken({ principal: 'User:a', expiresAtMs: 5, credentialIndex: 3 }, key);
    expect(verifyToken(token, key)).toEqual({ principal: 'User:a', expiresAtMs: 5, credentialIndex: 3 });
    expect(verifyToken(token, Buffer.alloc(32, 2))).toBeUndefined();
    const [v, , mac] = token.split('.');
    const other = Buffer.from(JSON.stringify({ p: 'User:root', e: 5, u: 3 })).toString('base64url');
    expect(verifyToken(`${v}.${other}.${mac}`, key)).toBeUndefined();
    expect(verifyToken('x'.repeat(5000), key)).toBeUndefined();
    expect(verifyToken('v1..', key)).toBeUndefined();
  });
});

describe('tlsPrincipal', () => {
  const ctx = (c: Partial<CallAuthContext>): CallAuthContext => c;
  it('is User:<CN> of a verified certificate and nothing without TLS or a CN', () => {
    const cert = { subject: { CN: 'billing' } } as unknown as NonNullable<
      CallAuthContext['sslPeerCertificate']
    >;
    expect(tlsPrincipal(ctx({ transportSecurityType: 'ssl', sslPeerCertificate: cert }))).toBe(
      'User:billing',
    );
    expect(tlsPrincipal(ctx({}))).toBeUndefined();
    expect(tlsPrincipal(ctx({ transportSecurityType: 'ssl' }))).toBeUndefined();
    const noCn = { subject: { O: 'x' } } as unknown as NonNullable<CallAuthContext['sslPeerCertificate']>;
    expect(tlsPrincipal(ctx({ transportSecurityType: 'ssl', sslPeerCertificate: noCn }))).toBeUndefined();
  });

  it('is nothing for a CN that could not be a user name', () => {
    for (const CN of ['*', '', 'bill\u0085ing', 'x'.repeat(256)]) {
      const cert = { subject: { CN } } as unknown as NonNullable<CallAuthContext['sslPeerCertificate']>;
      expect(tlsPrincipal(ctx({ transportSecurityType: 'ssl', sslPeerCertificate: cert }))).toBeUndefined();
    }
  });
});
