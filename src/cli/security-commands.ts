import { InvalidArgumentError, type Command } from 'commander';
import {
  aclOperations,
  clusterResourceName,
  type AclOperation,
  type AclRule,
} from '../../cluster/controller/index.js';
import { RaftlogError } from '../../lib/index.js';
import type { CliContext, CliSecurity } from './cli-context.js';
import { withSession } from './global-options.js';
import { integerIn, nonNegativeInt } from './option-parsers.js';
import { table } from './output-format.js';

interface AclFlags {
  principal: string;
  operation: AclOperation;
  topic?: string;
  group?: string;
  transactionalId?: string;
  cluster?: boolean;
  prefix?: boolean;
}

function operation(value: string): AclOperation {
  const found = aclOperations.find((o) => o === value.trim().toLowerCase());
  if (found === undefined) throw new InvalidArgumentError(`expected one of ${aclOperations.join('|')}`);
  return found;
}

/** Exactly one resource flag names what the rule protects. */
function ruleOf(o: AclFlags): AclRule {
  const named = [
    o.topic === undefined ? undefined : (['topic', o.topic] as const),
    o.group === undefined ? undefined : (['group', o.group] as const),
    o.transactionalId === undefined ? undefined : (['transactional-id', o.transactionalId] as const),
    o.cluster === true ? (['cluster', clusterResourceName] as const) : undefined,
  ].filter((r) => r !== undefined);
  const [resource] = named;
  if (named.length !== 1 || resource === undefined) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      'name exactly one of --topic, --group, --transactional-id, --cluster',
    );
  }
  return {
    principal: o.principal,
    resourceType: resource[0],
    resourceName: resource[1],
    patternType: o.prefix === true ? 'prefix' : 'literal',
    operation: o.operation,
  };
}

const ruleRow = (r: AclRule): string[] => [
  r.principal,
  r.operation,
  r.resourceType,
  r.patternType === 'prefix' ? `${r.resourceName}*` : r.resourceName,
];

function security(session: { security?: CliSecurity }): CliSecurity {
  if (session.security === undefined)
    throw new RaftlogError('UNIMPLEMENTED', 'this session has no security admin');
  return session.security;
}

function aclResourceOptions(command: Command): Command {
  return command
    .requiredOption('--principal <principal>', 'User:<name>, or User:* for every authenticated user')
    .requiredOption('--operation <op>', aclOperations.join('|'), operation)
    .option('--topic <name>', 'a topic (with --prefix: every topic starting with it; * for all)')
    .option('--group <name>', 'a consumer group')
    .option('--transactional-id <id>', 'a transactional id')
    .option('--cluster', 'the cluster (nodes, replicas, users, ACLs, quotas)')
    .option('--prefix', 'match names starting with the given one');
}

export function registerSecurityCommands(program: Command, ctx: CliContext): void {
  registerUserCommands(program, ctx);
  registerAclCommands(program, ctx);
  registerQuotaCommands(program, ctx);
  program
    .command('whoami')
    .description('the principal this command authenticates as')
    .action((_o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const me = await security(s).whoAmI();
        ctx.io.out(g.json ? JSON.stringify(me) : `${me.principal}${me.superuser ? ' (superuser)' : ''}`);
      }),
    );
}

function registerUserCommands(program: Command, ctx: CliContext): void {
  const user = program.command('user').description('SCRAM-SHA-256 users (needs alter on the cluster)');
  user
    .command('add <name>')
    .description('create a user or change its password (only salted keys reach the cluster)')
    .option('--new-password <password>', "the user's password (env RAFTLOG_NEW_PASSWORD)")
    .option('--iterations <n>', 'PBKDF2 iterations, 4096..1000000', integerIn(4096, 1_000_000), 8192)
    .action((name: string, o: { newPassword?: string; iterations: number }, cmd: Command) =>
      withSession(ctx, cmd, async (s) => {
        const password = o.newPassword ?? ctx.io.env['RAFTLOG_NEW_PASSWORD'];
        if (password === undefined || password.length < 8) {
          throw new RaftlogError(
            'INVALID_ARGUMENT',
            'a password of at least 8 characters is required (--new-password)',
          );
        }
        await security(s).addUser(name, password, o.iterations);
      }),
    );
  user
    .command('remove <name>')
    .action((name: string, _o: unknown, cmd: Command) =>
      withSession(ctx, cmd, (s) => security(s).removeUser(name)),
    );
  user.command('list').action((_o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const users = await security(s).listUsers();
      if (g.json) ctx.io.out(JSON.stringify(users));
      else
        for (const line of table(
          ['USER', 'ITERATIONS'],
          users.map((u) => [u.name, String(u.iterations)]),
        ))
          ctx.io.out(line);
    }),
  );
}

function registerAclCommands(program: Command, ctx: CliContext): void {
  const acl = program.command('acl').description('allow rules; with auth required all else is denied');
  aclResourceOptions(acl.command('add').description('allow an operation')).action(
    (o: AclFlags, cmd: Command) => withSession(ctx, cmd, (s) => security(s).addAcls([ruleOf(o)])),
  );
  aclResourceOptions(acl.command('remove').description('remove a rule added with the same flags')).action(
    (o: AclFlags, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const removed = await security(s).removeAcls([ruleOf(o)]);
        ctx.io.out(g.json ? JSON.stringify({ removed }) : `removed ${removed}`);
      }),
  );
  acl
    .command('list')
    .option('--principal <principal>', "only this principal's rules")
    .action((o: { principal?: string }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const rules = await security(s).listAcls(o.principal ?? '');
        if (g.json) ctx.io.out(JSON.stringify(rules));
        else
          for (const line of table(['PRINCIPAL', 'OPERATION', 'RESOURCE', 'NAME'], rules.map(ruleRow)))
            ctx.io.out(line);
      }),
    );
}

function registerQuotaCommands(program: Command, ctx: CliContext): void {
  const quota = program.command('quota').description('byte rates per principal and node (0: unlimited)');
  quota
    .command('set <principal>')
    .option('--produce-bytes-per-sec <n>', 'produced batch bytes a second', nonNegativeInt, 0)
    .option('--fetch-bytes-per-sec <n>', 'fetched record bytes a second', nonNegativeInt, 0)
    .action((principal: string, o: { produceBytesPerSec: number; fetchBytesPerSec: number }, cmd: Command) =>
      withSession(ctx, cmd, (s) =>
        security(s).setQuota({
          principal,
          produceBytesPerSec: o.produceBytesPerSec,
          fetchBytesPerSec: o.fetchBytesPerSec,
        }),
      ),
    );
  quota.command('list').action((_o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const quotas = await security(s).listQuotas();
      if (g.json) ctx.io.out(JSON.stringify(quotas));
      else {
        const rows = quotas.map((q) => [
          q.principal,
          String(q.produceBytesPerSec),
          String(q.fetchBytesPerSec),
        ]);
        for (const line of table(['PRINCIPAL', 'PRODUCE B/S', 'FETCH B/S'], rows)) ctx.io.out(line);
      }
    }),
  );
}
