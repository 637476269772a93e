import { randomBytes } from 'node:crypto';
import { RaftlogError } from '../../../lib/index.js';
import type { SecurityApi } from '../../../cluster/node/index.js';
import type { CallContext } from '../../../rpc/index.js';
import { anonymousPrincipal, userNameOf } from '../../security/index.js';
import { AclAuthorizer } from './acl-authorizer.js';
import { describeAccess, type Access } from './access-policy.js';
import { QuotaThrottle } from './quota-throttle.js';
import { ScramExchanges } from './scram-exchanges.js';
import { signToken, verifyToken, type TokenClaims } from './session-token.js';
import { tlsPrincipal } from './tls-identity.js';

export type AuthMode = 'none' | 'required';

export interface AuthSettings {
  readonly mode: AuthMode;
  /** Principals allowed everything, ACLs or not (User:admin…). */
  readonly superusers: readonly string[];
  readonly tokenTtlMs: number;
}

export const authorizationHeader = 'authorization';
/** A token minted for a call one node makes to another on a client's behalf lives this long. */
const forwardTokenTtlMs = 30_000;

/**
 * Who a call comes from and what it may do: the one place the client-facing services ask
 * (secure-service.ts wraps every handler with it).
 */
export class AuthGuard {
  readonly required: boolean;
  readonly authorizer: AclAuthorizer;
  readonly exchanges: ScramExchanges;
  readonly quotas: QuotaThrottle;
  private keyBase64 = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly security: SecurityApi,
    private readonly settings: AuthSettings,
    private readonly nodeId: number,
    readonly now: () => number,
  ) {
    this.required = settings.mode === 'required';
    this.authorizer = new AclAuthorizer(() => security.state(), new Set(settings.superusers));
    this.exchanges = new ScramExchanges(() => security.state(), now);
    this.quotas = new QuotaThrottle(() => security.state(), now);
  }

  /** The caller's principal: a valid bearer token, else a verified TLS certificate, else none. */
  authenticate(context: CallContext): string {
    const header = context.metadata.get(authorizationHeader)[0];
    if (typeof header === 'string' && header !== '') {
      if (this.required) return this.principalOfToken(header);
      // With auth off a stale or foreign token is no reason to refuse a call.
      try {
        return this.principalOfToken(header);
      } catch {
        return anonymousPrincipal;
      }
    }
    const fromTls = tlsPrincipal(context.authContext());
    if (fromTls !== undefined) return fromTls;
    if (!this.required) return anonymousPrincipal;
    throw new RaftlogError(
      'AUTHENTICATION_FAILED',
      'authentication required: send "authorization: Bearer <token>" (SecurityService.ScramStart/ScramFinish) or a client certificate',
    );
  }

  /** Throws AUTHORIZATION_FAILED naming the first permission the principal lacks. */
  authorize(principal: string, accesses: readonly Access[], method: string): void {
    if (!this.required) return;
    for (const access of accesses) {
      if (!this.authorizer.allows(principal, access.operation, access.resource)) {
        throw new RaftlogError(
          'AUTHORIZATION_FAILED',
          `${principal} may not call ${method}: no ACL allows ${describeAccess(access)}`,
        );
      }
    }
  }

  issueToken(principal: string, credentialIndex: number, ttlMs = this.settings.tokenTtlMs) {
    const expiresAtMs = this.now() + ttlMs;
    return { token: signToken({ principal, expiresAtMs, credentialIndex }, this.tokenKey()), expiresAtMs };
  }

  /** Headers that carry `principal` to another node: the other node checks it again, as itself. */
  forwardHeaders(principal: string): Record<string, string> {
    if (principal === anonymousPrincipal) return {};
    return { [authorizationHeader]: `Bearer ${this.issueToken(principal, -1, forwardTokenTtlMs).token}` };
  }

  /** For calls the node makes itself (gap fill, offsets, status); empty while there is no key yet. */
  nodeHeaders(): Record<string, string> {
    if (this.security.state().tokenKey === '') return {};
    return this.forwardHeaders(`Node:${this.nodeId}`);
  }

  /** A fresh random key for the controller to keep if it has none. */
  static newTokenKey(): string {
    return randomBytes(32).toString('base64');
  }

  private principalOfToken(header: string): string {
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    const claims = token === undefined ? undefined : verifyToken(token, this.tokenKey());
    if (claims === undefined) throw new RaftlogError('AUTHENTICATION_FAILED', 'invalid session token');
    if (claims.expiresAtMs <= this.now()) {
      throw new RaftlogError('AUTHENTICATION_FAILED', 'session token expired; authenticate again');
    }
    if (!this.stillValid(claims)) {
      throw new RaftlogError('AUTHENTICATION_FAILED', 'the user was removed or its password changed');
    }
    return claims.principal;
  }

  private stillValid(claims: TokenClaims): boolean {
    if (claims.credentialIndex < 0) return true;
    const user = this.security.state().users.get(userNameOf(claims.principal) ?? '');
    return user?.updatedIndex === claims.credentialIndex;
  }

  private tokenKey(): Buffer {
    const current = this.security.state().tokenKey;
    if (current === '') throw new RaftlogError('UNAVAILABLE', 'the cluster has no token key yet; retry');
    if (current !== this.keyBase64) {
      this.key = Buffer.from(current, 'base64');
      this.keyBase64 = current;
    }
    return this.key;
  }
}
