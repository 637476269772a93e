/**
 * Users, ACLs and quotas as the controller holds them. Only what verifies a SCRAM proof is kept
 * (RFC 5802 §3: salt, iteration count, StoredKey, ServerKey), never a password; byte strings are
 * base64 so entries and snapshots stay JSON.
 */
export interface UserRecord {
  readonly name: string;
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
  /** Raft index of the entry that set these credentials: tokens issued before it are refused. */
  readonly updatedIndex: number;
}

export const aclResourceTypes = ['topic', 'group', 'transactional-id', 'cluster'] as const;
export type AclResourceType = (typeof aclResourceTypes)[number];
export const aclPatternTypes = ['literal', 'prefix'] as const;
export type AclPatternType = (typeof aclPatternTypes)[number];
export const aclOperations = ['produce', 'consume', 'describe', 'alter', 'admin'] as const;
export type AclOperation = (typeof aclOperations)[number];

/** The one name a cluster resource has. */
export const clusterResourceName = 'cluster';

/** An allow rule; there are no deny rules: what no rule allows is denied. */
export interface AclRule {
  readonly principal: string;
  readonly resourceType: AclResourceType;
  readonly resourceName: string;
  readonly patternType: AclPatternType;
  readonly operation: AclOperation;
}

/** Per node, in bytes per second; 0 is unlimited. */
export interface QuotaRecord {
  readonly principal: string;
  readonly produceBytesPerSec: number;
  readonly fetchBytesPerSec: number;
}

export interface SecurityState {
  readonly users: ReadonlyMap<string, UserRecord>;
  /** Keyed by `aclKey`, so adding a rule twice keeps one. */
  readonly acls: ReadonlyMap<string, AclRule>;
  readonly quotas: ReadonlyMap<string, QuotaRecord>;
  /** The HMAC key of session tokens (base64, 32 bytes), '' until the first one is proposed. */
  readonly tokenKey: string;
}

export type SecurityCommand =
  /** `tokenKey` becomes the cluster's token key if it has none; `ifAbsent` keeps an existing user. */
  | {
      readonly type: 'upsert-user';
      readonly name: string;
      readonly salt: string;
      readonly iterations: number;
      readonly storedKey: string;
      readonly serverKey: string;
      readonly tokenKey: string;
      readonly ifAbsent: boolean;
    }
  | { readonly type: 'delete-user'; readonly name: string }
  | { readonly type: 'add-acls'; readonly rules: readonly AclRule[] }
  | { readonly type: 'remove-acls'; readonly rules: readonly AclRule[] }
  | {
      readonly type: 'set-quota';
      readonly principal: string;
      readonly produceBytesPerSec: number;
      readonly fetchBytesPerSec: number;
    }
  | { readonly type: 'init-token-key'; readonly tokenKey: string };

/** Constants so every replica rejects alike. */
export const securityLimits = {
  usersMax: 10_000,
  aclsMax: 10_000,
  aclsPerCommandMax: 1_000,
  quotasMax: 10_000,
  /** Resource names, in UTF-16 code units. User names have their own rule (user-name.ts). */
  nameCharsMax: 255,
  /** "User:" and a longest user name: 255 UTF-8 bytes are at most 255 UTF-16 code units. */
  principalCharsMax: 260,
  iterationsMin: 4096,
  iterationsMax: 1_000_000,
  saltBytesMin: 16,
  saltBytesMax: 64,
  keyBytes: 32,
  bytesPerSecMax: 2 ** 40,
} as const;

export const emptySecurityState = (): SecurityState => ({
  users: new Map(),
  acls: new Map(),
  quotas: new Map(),
  tokenKey: '',
});

export const aclKey = (r: AclRule): string =>
  JSON.stringify([r.principal, r.resourceType, r.patternType, r.resourceName, r.operation]);
