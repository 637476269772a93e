import { assertNever, RaftlogError } from '../../lib/index.js';
import {
  aclKey,
  aclOperations,
  aclPatternTypes,
  aclResourceTypes,
  clusterResourceName,
  securityLimits as limits,
  type AclRule,
  type SecurityCommand,
  type SecurityState,
  type UserRecord,
} from './security-types.js';
import { shownValue } from './shown-value.js';
import { userNameProblem } from './user-name.js';

type Command<T extends SecurityCommand['type']> = Extract<SecurityCommand, { type: T }>;

export interface SecurityOutcome {
  readonly security: SecurityState;
  /** For remove-acls: how many rules existed. */
  readonly count: number;
}

const invalid = (message: string): never => {
  throw new RaftlogError('INVALID_ARGUMENT', message);
};

function checkName(value: unknown, what: string, charsMax: number = limits.nameCharsMax): string {
  const ok =
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= charsMax &&
    // eslint-disable-next-line no-control-regex
    !/[\u0000-\u001f\u007f]/.test(value);
  if (!ok) invalid(`${what} must be 1-${charsMax} characters without control characters`);
  return value as string;
}

function checkUserName(value: unknown): string {
  const problem = userNameProblem(value);
  if (problem !== undefined) invalid(problem);
  return value as string;
}

function checkPrincipal(value: unknown): string {
  const principal = checkName(value, 'principal', limits.principalCharsMax);
  if (!/^User:./.test(principal)) invalid(`principal '${principal}' must be User:<name> or User:*`);
  return principal;
}

function checkBase64(value: unknown, bytesMin: number, bytesMax: number, what: string): string {
  const ok = typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value);
  const bytes = ok ? Buffer.from(value, 'base64').length : -1;
  if (bytes < bytesMin || bytes > bytesMax) invalid(`${what} must be ${bytesMin}-${bytesMax} bytes`);
  return value as string;
}

function checkInt(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    invalid(`${what} must be an integer in [${min}, ${max}]`);
  }
  return value as number;
}

function oneOf<T extends string>(value: unknown, values: readonly T[], what: string): T {
  if (!(values as readonly unknown[]).includes(value)) invalid(`${what} must be one of ${values.join('|')}`);
  return value as T;
}

/** A rule rebuilt from checked fields only. */
export function checkAclRule(rule: AclRule): AclRule {
  const resourceType = oneOf(rule.resourceType, aclResourceTypes, 'resource type');
  const resourceName = checkName(rule.resourceName, 'resource name');
  if (resourceType === 'cluster' && resourceName !== clusterResourceName) {
    invalid(`a cluster rule names the resource '${clusterResourceName}'`);
  }
  return {
    principal: checkPrincipal(rule.principal),
    resourceType,
    resourceName,
    patternType: oneOf(rule.patternType, aclPatternTypes, 'pattern type'),
    operation: oneOf(rule.operation, aclOperations, 'operation'),
  };
}

function checkRules(rules: readonly AclRule[]): AclRule[] {
  if (!Array.isArray(rules) || rules.length === 0 || rules.length > limits.aclsPerCommandMax) {
    invalid(`a command carries 1-${limits.aclsPerCommandMax} rules`);
  }
  return rules.map(checkAclRule);
}

function upsertUser(s: SecurityState, c: Command<'upsert-user'>, index: number): SecurityState {
  const name = checkUserName(c.name);
  const tokenKey = checkBase64(c.tokenKey, limits.keyBytes, limits.keyBytes, 'token key');
  if (c.ifAbsent && s.users.has(name)) return s;
  if (!s.users.has(name) && s.users.size >= limits.usersMax) {
    throw new RaftlogError('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.usersMax} users`);
  }
  const user: UserRecord = {
    name,
    salt: checkBase64(c.salt, limits.saltBytesMin, limits.saltBytesMax, 'salt'),
    iterations: checkInt(c.iterations, limits.iterationsMin, limits.iterationsMax, 'iterations'),
    storedKey: checkBase64(c.storedKey, limits.keyBytes, limits.keyBytes, 'stored key'),
    serverKey: checkBase64(c.serverKey, limits.keyBytes, limits.keyBytes, 'server key'),
    updatedIndex: index,
  };
  return { ...s, users: new Map(s.users).set(name, user), tokenKey: s.tokenKey || tokenKey };
}

function deleteUser(s: SecurityState, c: Command<'delete-user'>): SecurityState {
  if (!s.users.has(c.name)) invalid(`user '${shownValue(c.name)}' does not exist`);
  const users = new Map(s.users);
  users.delete(c.name);
  return { ...s, users };
}

function addAcls(s: SecurityState, c: Command<'add-acls'>): SecurityState {
  const acls = new Map(s.acls);
  for (const rule of checkRules(c.rules)) acls.set(aclKey(rule), rule);
  if (acls.size > limits.aclsMax) {
    throw new RaftlogError('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.aclsMax} ACL rules`);
  }
  return { ...s, acls };
}

function removeAcls(s: SecurityState, c: Command<'remove-acls'>): SecurityOutcome {
  const acls = new Map(s.acls);
  let count = 0;
  for (const rule of checkRules(c.rules)) if (acls.delete(aclKey(rule))) count++;
  return { security: { ...s, acls }, count };
}

function setQuota(s: SecurityState, c: Command<'set-quota'>): SecurityState {
  const principal = checkPrincipal(c.principal);
  const produce = checkInt(c.produceBytesPerSec, 0, limits.bytesPerSecMax, 'produce bytes per second');
  const fetch = checkInt(c.fetchBytesPerSec, 0, limits.bytesPerSecMax, 'fetch bytes per second');
  const quotas = new Map(s.quotas);
  if (produce === 0 && fetch === 0) quotas.delete(principal);
  else quotas.set(principal, { principal, produceBytesPerSec: produce, fetchBytesPerSec: fetch });
  if (quotas.size > limits.quotasMax) {
    throw new RaftlogError('RESOURCE_EXHAUSTED', `the cluster may hold at most ${limits.quotasMax} quotas`);
  }
  return { ...s, quotas };
}

function initTokenKey(s: SecurityState, c: Command<'init-token-key'>): SecurityState {
  const tokenKey = checkBase64(c.tokenKey, limits.keyBytes, limits.keyBytes, 'token key');
  return s.tokenKey === '' ? { ...s, tokenKey } : s;
}

/** Pure and total like every controller command: a bad command is a RaftlogError, state unchanged. */
export function applySecurityCommand(s: SecurityState, c: SecurityCommand, index: number): SecurityOutcome {
  const done = (security: SecurityState): SecurityOutcome => ({ security, count: 0 });
  switch (c.type) {
    case 'upsert-user':
      return done(upsertUser(s, c, index));
    case 'delete-user':
      return done(deleteUser(s, c));
    case 'add-acls':
      return done(addAcls(s, c));
    case 'remove-acls':
      return removeAcls(s, c);
    case 'set-quota':
      return done(setQuota(s, c));
    case 'init-token-key':
      return done(initTokenKey(s, c));
    default:
      return assertNever(c, 'security command');
  }
}
