import { asArray, asInt, asObject, asString } from './json-shape.js';
import {
  aclKey,
  emptySecurityState,
  type AclRule,
  type QuotaRecord,
  type SecurityCommand,
  type SecurityState,
  type UserRecord,
} from './security-types.js';

/** The one field kind of the security commands beyond the controller codec's own. */
export type SecurityFieldKind = 'acls';

export const securityCommandFields = {
  'upsert-user': {
    name: 'string',
    salt: 'string',
    iterations: 'int',
    storedKey: 'string',
    serverKey: 'string',
    tokenKey: 'string',
    ifAbsent: 'boolean',
  },
  'delete-user': { name: 'string' },
  'add-acls': { rules: 'acls' },
  'remove-acls': { rules: 'acls' },
  'set-quota': { principal: 'string', produceBytesPerSec: 'int', fetchBytesPerSec: 'int' },
  'init-token-key': { tokenKey: 'string' },
} as const satisfies Record<SecurityCommand['type'], Record<string, string>>;

/** Shape only: the values are judged in apply, so every replica rejects a bad rule alike. */
function decodeAclRule(value: unknown, path: string): AclRule {
  const o = asObject(value, path);
  return {
    principal: asString(o.principal, `${path}.principal`),
    resourceType: asString(o.resourceType, `${path}.resourceType`) as AclRule['resourceType'],
    resourceName: asString(o.resourceName, `${path}.resourceName`),
    patternType: asString(o.patternType, `${path}.patternType`) as AclRule['patternType'],
    operation: asString(o.operation, `${path}.operation`) as AclRule['operation'],
  };
}

export function decodeSecurityField(_kind: SecurityFieldKind, value: unknown, path: string): AclRule[] {
  return asArray(value, path).map((v, i) => decodeAclRule(v, `${path}[${i}]`));
}

function decodeUser(value: unknown, path: string): UserRecord {
  const o = asObject(value, path);
  return {
    name: asString(o.name, `${path}.name`),
    salt: asString(o.salt, `${path}.salt`),
    iterations: asInt(o.iterations, `${path}.iterations`),
    storedKey: asString(o.storedKey, `${path}.storedKey`),
    serverKey: asString(o.serverKey, `${path}.serverKey`),
    updatedIndex: asInt(o.updatedIndex, `${path}.updatedIndex`),
  };
}

function decodeQuota(value: unknown, path: string): QuotaRecord {
  const o = asObject(value, path);
  return {
    principal: asString(o.principal, `${path}.principal`),
    produceBytesPerSec: asInt(o.produceBytesPerSec, `${path}.produceBytesPerSec`),
    fetchBytesPerSec: asInt(o.fetchBytesPerSec, `${path}.fetchBytesPerSec`),
  };
}

const sortedByKey = <V>(map: ReadonlyMap<string, V>): V[] =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** Sorted and with a fixed field order, so equal states write equal bytes. */
export function encodeSecurity(s: SecurityState): unknown {
  return {
    users: sortedByKey(s.users).map((u) => ({
      name: u.name,
      salt: u.salt,
      iterations: u.iterations,
      storedKey: u.storedKey,
      serverKey: u.serverKey,
      updatedIndex: u.updatedIndex,
    })),
    acls: sortedByKey(s.acls).map((r) => ({
      principal: r.principal,
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      patternType: r.patternType,
      operation: r.operation,
    })),
    quotas: sortedByKey(s.quotas),
    tokenKey: s.tokenKey,
  };
}

/** A snapshot written before security existed has none: no users, rules, quotas or key. */
export function decodeSecurity(value: unknown, path: string): SecurityState {
  if (value === undefined) return emptySecurityState();
  const o = asObject(value, path);
  const users = asArray(o.users, `${path}.users`).map((u, i) => decodeUser(u, `${path}.users[${i}]`));
  const acls = asArray(o.acls, `${path}.acls`).map((r, i) => decodeAclRule(r, `${path}.acls[${i}]`));
  const quotas = asArray(o.quotas, `${path}.quotas`).map((q, i) => decodeQuota(q, `${path}.quotas[${i}]`));
  return {
    users: new Map(users.map((u) => [u.name, u])),
    acls: new Map(acls.map((r) => [aclKey(r), r])),
    quotas: new Map(quotas.map((q) => [q.principal, q])),
    tokenKey: asString(o.tokenKey, `${path}.tokenKey`),
  };
}
