import type { SecurityApi } from '../../../cluster/node/index.js';
import type { Logger } from '../../obs/index.js';
import { deriveScramCredentials } from '../../security/index.js';
import { AuthGuard } from './auth-guard.js';

export interface BootstrapAdmin {
  readonly name: string;
  readonly password: { readonly value: string };
}

const retryMs = 1_000;

/**
 * Makes a cluster with auth required usable from its first minute: the controller gets a token key
 * (tokens and node-to-node calls need one) and, when a bootstrap admin password is configured, that
 * user exists. Every node tries until the controller shows both; the commands keep what is there
 * (init-token-key and upsert-user with ifAbsent), so racing nodes and restarts change nothing.
 */
export function startAuthBootstrap(security: SecurityApi, admin: BootstrapAdmin | undefined, logger: Logger) {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const credentials = admin === undefined ? undefined : deriveScramCredentials(admin.password.value);
  const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
  const step = async (): Promise<boolean> => {
    const state = security.state();
    if (state.tokenKey === '')
      await security.propose({ type: 'init-token-key', tokenKey: AuthGuard.newTokenKey() });
    if (admin === undefined || credentials === undefined || security.state().users.has(admin.name))
      return true;
    await security.propose({
      type: 'upsert-user',
      name: admin.name,
      salt: b64(credentials.salt),
      iterations: credentials.iterations,
      storedKey: b64(credentials.storedKey),
      serverKey: b64(credentials.serverKey),
      tokenKey: AuthGuard.newTokenKey(),
      ifAbsent: true,
    });
    logger.info({ user: admin.name }, 'bootstrap admin user created');
    return true;
  };
  const run = (): void => {
    if (stopped) return;
    step().then(
      () => undefined,
      (error: unknown) => {
        logger.debug({ err: error }, 'auth bootstrap not done yet; retrying');
        if (!stopped) timer = setTimeout(run, retryMs);
      },
    );
  };
  timer = setTimeout(run, 0);
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
