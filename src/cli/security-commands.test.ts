import { describe, expect, it } from 'vitest';
import type { AclRule, QuotaRecord } from '../../cluster/controller/index.js';
import type { UserCredentials } from '../client/index.js';
import type { CliDeps, CliSecurity, CliSession } from './cli-context.js';
import { runCli } from './run-cli.js';
import { memoryIo } from './testing/memory-io.js';

/** A session whose security admin records what it was asked. */
function fake() {
  const rules: AclRule[] = [];
  const users: { name: string; password: string; iterations: number }[] = [];
  const quotas: QuotaRecord[] = [];
  const logins: (UserCredentials | undefined)[] = [];
  const security: CliSecurity = {
    addUser: (name, password, iterations = 0) =>
      Promise.resolve(void users.push({ name, password, iterations })),
    removeUser: () => Promise.resolve(),
    listUsers: () => Promise.resolve(users.map((u) => ({ name: u.name, iterations: u.iterations }))),
    addAcls: (r) => Promise.resolve(void rules.push(...r)),
    removeAcls: (r) => Promise.resolve(r.length),
    listAcls: () => Promise.resolve(rules),
    setQuota: (q) => Promise.resolve(void quotas.push(q)),
    listQuotas: () => Promise.resolve(quotas),
    whoAmI: () => Promise.resolve({ principal: 'User:admin', authRequired: true, superuser: true }),
  };
  const session = { security, close: () => undefined } as unknown as CliSession;
  const deps: CliDeps = {
    connect: (_bootstrap, auth) => {
      logins.push(auth);
      return session;
    },
    runNode: () => Promise.resolve(),
    runLocalCluster: () => Promise.resolve(),
    restartLocalNode: () => Promise.reject(new Error('not in this test')),
  };
  return { deps, rules, users, quotas, logins };
}

describe('raftlog user, acl, quota, whoami', () => {
  it('logs in with --user/--password or RAFTLOG_USER/RAFTLOG_PASSWORD', async () => {
    const f = fake();
    const out = memoryIo([], { RAFTLOG_USER: 'env-user', RAFTLOG_PASSWORD: 'env-pass' });
    expect(await runCli(['whoami'], out, f.deps)).toBe(0);
    expect(
      await runCli(['--user', 'flag-user', '--password', 'flag-pass', 'whoami', '--json'], out, f.deps),
    ).toBe(0);
    expect(f.logins).toEqual([
      { user: 'env-user', password: 'env-pass' },
      { user: 'flag-user', password: 'flag-pass' },
    ]);
    expect(out.stdout).toEqual([
      'User:admin (superuser)',
      JSON.stringify({ principal: 'User:admin', authRequired: true, superuser: true }),
    ]);
  });

  it('adds users with their password and ACL rules from the resource flags', async () => {
    const f = fake();
    const out = memoryIo();
    expect(await runCli(['user', 'add', 'alice', '--new-password', 'long-enough'], out, f.deps)).toBe(0);
    expect(await runCli(['user', 'add', 'bob', '--new-password', 'short'], out, f.deps)).toBe(1);
    expect(f.users).toEqual([{ name: 'alice', password: 'long-enough', iterations: 8192 }]);
    const add = ['acl', 'add', '--principal', 'User:alice', '--operation', 'produce'];
    expect(await runCli([...add, '--topic', 'orders-', '--prefix'], out, f.deps)).toBe(0);
    expect(await runCli([...add, '--cluster'], out, f.deps)).toBe(0);
    expect(await runCli([...add, '--topic', 'a', '--group', 'b'], out, f.deps)).toBe(1);
    expect(await runCli([...add.slice(0, -1), 'write', '--topic', 'a'], out, f.deps)).toBe(1);
    expect(f.rules).toEqual([
      {
        principal: 'User:alice',
        resourceType: 'topic',
        resourceName: 'orders-',
        patternType: 'prefix',
        operation: 'produce',
      },
      {
        principal: 'User:alice',
        resourceType: 'cluster',
        resourceName: 'cluster',
        patternType: 'literal',
        operation: 'produce',
      },
    ]);
    out.stdout.length = 0;
    expect(await runCli(['acl', 'list', '--json'], out, f.deps)).toBe(0);
    expect(JSON.parse(out.stdout[0] ?? '')).toEqual(f.rules);
  });

  it('sets quotas and lists them', async () => {
    const f = fake();
    const out = memoryIo();
    const set = ['quota', 'set', 'User:bob', '--fetch-bytes-per-sec', '5000'];
    expect(await runCli(set, out, f.deps)).toBe(0);
    expect(await runCli(['quota', 'list'], out, f.deps)).toBe(0);
    expect(out.stdout).toEqual(['PRINCIPAL  PRODUCE B/S  FETCH B/S', 'User:bob   0            5000']);
  });
});
