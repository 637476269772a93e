import { userNameProblem } from '../../cluster/controller/index.js';
import type { AuthMode } from './auth/auth-guard.js';

/** A value that must never reach a log line: JSON and string forms are redacted. */
export class Secret {
  constructor(readonly value: string) {}
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
}

export interface AuthConfig {
  /** `none` (the default: every call allowed, as before) or `required`. */
  readonly mode: AuthMode;
  /** Principals allowed everything: User:admin,User:ops. */
  readonly superusers: readonly string[];
  readonly tokenTtlMs: number;
  /** Created at start if absent (RAFTLOG_BOOTSTRAP_ADMIN_PASSWORD); see README, "Security". */
  readonly bootstrapAdmin: { readonly name: string; readonly password: Secret } | undefined;
}

/** Settings read from flags, RAFTLOG_* env and the config file like every other. */
export const authSettingNames = [
  'auth',
  'superusers',
  'authTokenTtlMs',
  'bootstrapAdminUser',
  'bootstrapAdminPassword',
] as const;
export type AuthSettingName = (typeof authSettingNames)[number];

export const authDefaults = {
  auth: 'none',
  authTokenTtlMs: 60 * 60 * 1000,
  bootstrapAdminUser: 'admin',
} as const;
const tokenTtlMsMin = 10_000;
const tokenTtlMsMax = 24 * 60 * 60 * 1000;
const superusersMax = 100;
const passwordCharsMin = 8;

type Raw = Partial<Record<AuthSettingName, string | number | undefined>>;

function parseSuperusers(value: string, problems: string[]): string[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const p of list)
    if (!/^User:[^\s,]{1,255}$/.test(p)) problems.push(`superusers: "${p}" is not User:<name>`);
  if (list.length > superusersMax) problems.push(`superusers: at most ${superusersMax}`);
  return list;
}

export function validateAuthConfig(raw: Raw, problems: string[]): AuthConfig {
  const mode = String(raw.auth ?? authDefaults.auth);
  if (mode !== 'none' && mode !== 'required') problems.push(`auth must be none or required, got "${mode}"`);
  const ttl = Number(raw.authTokenTtlMs ?? authDefaults.authTokenTtlMs);
  if (!Number.isSafeInteger(ttl) || ttl < tokenTtlMsMin || ttl > tokenTtlMsMax) {
    problems.push(`authTokenTtlMs must be an integer in [${tokenTtlMsMin}, ${tokenTtlMsMax}]`);
  }
  const name = String(raw.bootstrapAdminUser ?? authDefaults.bootstrapAdminUser).trim();
  const password = raw.bootstrapAdminPassword === undefined ? undefined : String(raw.bootstrapAdminPassword);
  // The value itself is never echoed: it is a secret.
  if (password !== undefined && password.length < passwordCharsMin) {
    problems.push(`bootstrapAdminPassword must have at least ${passwordCharsMin} characters`);
  }
  const nameProblem = userNameProblem(name);
  if (nameProblem !== undefined) problems.push(`bootstrapAdminUser: ${nameProblem}`);
  return {
    mode: mode === 'required' ? 'required' : 'none',
    superusers: parseSuperusers(String(raw.superusers ?? ''), problems),
    tokenTtlMs: ttl,
    bootstrapAdmin: password === undefined ? undefined : { name, password: new Secret(password) },
  };
}
