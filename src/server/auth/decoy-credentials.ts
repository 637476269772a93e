import { hmacSha256, scramSaltBytes, sha256 } from '../../security/index.js';

/** The salt ScramStart shows and the StoredKey ScramFinish checks a proof against. */
export interface ExchangeKeys {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
}

/** Never a token's signed text (tokens sign "v1.<payload>"), so the two uses of the key stay apart. */
const decoyLabel = 'raftlog SCRAM decoy credentials';

/**
 * What ScramStart shows for a user that does not exist. A real user's salt is the same on every node
 * and across restarts (it is replicated state), so a made-up one must be too, or asking two nodes, or
 * one node twice around a restart, would tell which names exist. It must also be unknowable to
 * clients, or one could compute it and compare. The cluster's token key is both: replicated by the
 * controller, set once and never changed, never sent to a client. Before the cluster has one it has
 * no user either (upsert-user sets it), so every name is unknown and nothing is told apart.
 */
export function decoyCredentials(tokenKey: string, username: string): ExchangeKeys {
  const key = hmacSha256(Buffer.from(tokenKey, 'base64'), decoyLabel);
  const digest = hmacSha256(key, username);
  return { salt: digest.subarray(0, scramSaltBytes), storedKey: sha256(digest) };
}
