import { createClient, type ServiceClient } from '../../rpc/index.js';
import { RaftlogError } from '../../lib/index.js';
import { SecurityService } from '../../proto/gen/raftlog/v1/security_pb.js';
import { ScramClient } from '../security/index.js';

export interface UserCredentials {
  readonly user: string;
  readonly password: string;
}

interface Session {
  readonly token: string;
  readonly expiresAtMs: number;
  readonly principal: string;
  readonly lifetimeMs: number;
}

/** Renew once this share of a token's lifetime is left, so clock skew and slow calls never see it expire. */
const renewAtShareLeft = 0.2;

/**
 * Logs in with SCRAM-SHA-256 (SecurityService.ScramStart/ScramFinish on the first node that answers)
 * and keeps a session token fresh: every call asks for headers, a token near its end is renewed
 * before the call goes out, and concurrent callers share one login.
 */
export class ScramTokenSource {
  private session: Session | undefined;
  private pending: Promise<Session> | undefined;
  private readonly clients = new Map<string, ServiceClient<typeof SecurityService>>();

  constructor(
    private readonly bootstrap: readonly string[],
    private readonly credentials: UserCredentials,
    private readonly now: () => number = Date.now,
  ) {}

  async headers(): Promise<Record<string, string>> {
    return { authorization: `Bearer ${(await this.fresh()).token}` };
  }

  /** Logs in now (or reuses a fresh token): AUTHENTICATION_FAILED on a wrong user or password. */
  async login(): Promise<{ principal: string; expiresAtMs: number }> {
    const s = await this.fresh();
    return { principal: s.principal, expiresAtMs: s.expiresAtMs };
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }

  private fresh(): Promise<Session> {
    const s = this.session;
    if (s !== undefined && s.expiresAtMs - this.now() > s.lifetimeMs * renewAtShareLeft)
      return Promise.resolve(s);
    this.pending ??= this.loginAnywhere().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async loginAnywhere(): Promise<Session> {
    let last: unknown;
    for (const address of this.bootstrap) {
      try {
        return (this.session = await this.loginAt(address));
      } catch (error) {
        // A refusal is the answer; only an unreachable node sends us to the next one.
        if (error instanceof RaftlogError && !error.retriable) throw error;
        last = error;
      }
    }
    throw RaftlogError.from(last, 'UNAVAILABLE');
  }

  private async loginAt(address: string): Promise<Session> {
    let client = this.clients.get(address);
    if (client === undefined) this.clients.set(address, (client = createClient(SecurityService, address)));
    const scram = new ScramClient(this.credentials.user, this.credentials.password);
    const options = { timeoutMs: 10_000 };
    const started = await client.scramStart({ clientFirstMessage: scram.first() }, options);
    const finished = await client.scramFinish(
      { exchangeId: started.exchangeId, clientFinalMessage: scram.final(started.serverFirstMessage) },
      options,
    );
    scram.verifyServerFinal(finished.serverFinalMessage);
    const expiresAtMs = Number(finished.expiresAtMs);
    return {
      token: finished.token,
      expiresAtMs,
      principal: finished.principal,
      lifetimeMs: Math.max(0, expiresAtMs - this.now()),
    };
  }
}
