import { InvalidArgumentError, type Command } from 'commander';
import {
  transactionStateNames,
  type TransactionDetails,
  type TransactionStateName,
} from '../client/index.js';
import type { CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { nonNegativeInt } from './option-parsers.js';
import { table } from './output-format.js';

/** Ids described per call when `txn list` adds partitions and ages to the listing. */
const describeBatchIds = 500;

export function registerTxnCommands(program: Command, ctx: CliContext): void {
  const txn = program.command('txn').description('list and describe transactions (find hanging ones)');
  const { io } = ctx;

  txn
    .command('list')
    .description('transactional ids with their state, partitions and the age of their open transaction')
    .option(
      '--state <state>',
      `only this state (repeatable): ${transactionStateNames.join('|')}`,
      collectState,
      [],
    )
    .option('--min-age-ms <n>', 'only transactions open at least this long', nonNegativeInt, 0)
    .action((o: { state: TransactionStateName[]; minAgeMs: number }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const listed = await s.admin.listTransactions({ states: o.state, minAgeMs: o.minAgeMs });
        const details: TransactionDetails[] = [];
        for (let i = 0; i < listed.length; i += describeBatchIds) {
          const ids = listed.slice(i, i + describeBatchIds).map((t) => t.transactionalId);
          // An id expired between the two calls is simply left out.
          details.push(...(await s.admin.describeTransactions(ids).catch(() => [])));
        }
        if (g.json) io.out(JSON.stringify(details));
        else for (const line of listLines(details)) io.out(line);
      }),
    );

  txn.command('describe <id>').action((id: string, _o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const [t] = await s.admin.describeTransactions([id]);
      if (t === undefined) return;
      if (g.json) io.out(JSON.stringify(t));
      else for (const line of describeLines(t)) io.out(line);
    }),
  );
}

function collectState(value: string, previous: TransactionStateName[]): TransactionStateName[] {
  const name = value.trim().toLowerCase().replace(/_/g, '-');
  const found = transactionStateNames.find((n) => n === name);
  if (found === undefined) {
    throw new InvalidArgumentError(`expected one of ${transactionStateNames.join('|')}, got "${value}"`);
  }
  return [...previous, found];
}

const partitionList = (t: TransactionDetails): string =>
  t.partitions.map((p) => `${p.topic}/${p.partition}`).join(',');

function listLines(details: readonly TransactionDetails[]): string[] {
  return table(
    ['TRANSACTIONAL-ID', 'PRODUCER', 'EPOCH', 'STATE', 'AGE-MS', 'TIMEOUT-MS', 'PARTITIONS'],
    details.map((t) => [
      t.transactionalId,
      String(t.producerId),
      String(t.epoch),
      t.state,
      t.startedAtMs === 0 ? '-' : String(t.ageMs),
      String(t.timeoutMs),
      partitionList(t) || '-',
    ]),
  );
}

function describeLines(t: TransactionDetails): string[] {
  return [
    `transactional id ${t.transactionalId}: producer ${t.producerId} epoch ${t.epoch}, ${t.state}`,
    `timeout ${t.timeoutMs} ms` +
      (t.startedAtMs === 0
        ? ', no transaction open'
        : `, open for ${t.ageMs} ms (since ${new Date(t.startedAtMs).toISOString()})`),
    `partitions: ${partitionList(t) || '-'}`,
    `groups: ${t.groups.join(',') || '-'}`,
  ];
}
