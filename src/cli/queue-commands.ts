import type { Command } from 'commander';
import { RaftlogError } from '../../lib/index.js';
import type { ReceiptOutcome } from '../client/index.js';
import type { CliContext, CliQueues, CliSession } from './cli-context.js';
import { withSession } from './global-options.js';
import { integerIn } from './option-parsers.js';
import {
  deletionJson,
  deletionLines,
  formatOutcome,
  listingJson,
  listingLines,
  formatQueueMessage,
  statsJson,
  statsTable,
} from './queue-format.js';

interface ReceiveFlags {
  queue: string;
  max: number;
  visibilityMs: number;
  waitMs: number;
  ack?: boolean;
}

interface SettleFlags {
  queue: string;
  delayMs: number;
  error: string;
  visibilityMs?: number;
}

type Settle = 'ack' | 'nack' | 'extend';

const uint32 = integerIn(0, 2 ** 32 - 1);

export function registerQueueCommands(program: Command, ctx: CliContext): void {
  const queue = program
    .command('queue')
    .description('consume a topic as a queue: leases, acks, dead letters');
  queue
    .command('receive <topic>')
    .description('lease messages and print one per line (--json: with the receipt that ack/nack/extend take)')
    .option('--queue <name>', 'queue group', 'default')
    .option('--max <n>', 'at most this many messages', integerIn(1, 1000), 10)
    .option(
      '--visibility-ms <ms>',
      "lease duration (default: the topic's queue.visibility.timeout.ms)",
      uint32,
      0,
    )
    .option('--wait-ms <ms>', 'wait this long for a first message', integerIn(0, 20_000), 1_000)
    .option('--ack', 'ack every printed message at once')
    .action((topic: string, o: ReceiveFlags, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => receive(ctx, queues(s), topic, o, g.json)),
    );
  for (const kind of ['ack', 'nack', 'extend'] as const) registerSettle(queue, ctx, kind);
  registerListGroups(queue, ctx);
  queue
    .command('redrive <dead-letter-topic>')
    .description('move dead-lettered messages back to their origin topic (or --to), then ack them')
    .option('--to <topic>', 'send every message to this topic instead')
    .option('--queue <name>', 'queue group leasing from the dead-letter topic', 'raftlog-redrive')
    .action((dlq: string, o: { to?: string; queue: string }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const r = await queues(s).redrive({
          deadLetterTopic: dlq,
          queue: o.queue,
          ...(o.to === undefined ? {} : { to: o.to }),
        });
        ctx.io.out(
          g.json
            ? JSON.stringify(r)
            : `moved ${r.moved}${r.skipped > 0 ? `, skipped ${r.skipped} without an origin topic` : ''}`,
        );
      }),
    );
  queue
    .command('stats <topic>')
    .description('per partition: depth, in flight, delayed, oldest age, dead-lettered; and the total')
    .option('--queue <name>', 'queue group', 'default')
    .action((topic: string, o: { queue: string }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const stats = await queues(s).stats(topic, o.queue);
        if (g.json) ctx.io.out(statsJson(topic, o.queue, stats));
        else for (const line of statsTable(stats)) ctx.io.out(line);
      }),
    );
  queue
    .command('delete-group <topic>')
    .description(
      'delete a queue group on every partition: its leases, acks and counts are gone, and a later ' +
        'receive under the name starts over from the log start; exits 1 unless some partition had it',
    )
    .requiredOption('--queue <name>', 'queue group to delete')
    .action((topic: string, o: { queue: string }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const deletions = await queues(s).deleteGroup(topic, o.queue);
        if (g.json) ctx.io.out(deletionJson(topic, o.queue, deletions));
        else for (const line of deletionLines(topic, o.queue, deletions)) ctx.io.out(line);
        // A group exists only where it leased: absent partitions are fine once one had it.
        const failed = deletions.some((d) => !d.ok && d.code !== 'QUEUE_GROUP_NOT_FOUND');
        if (failed || !deletions.some((d) => d.ok)) ctx.exitCode = 1;
      }),
    );
}

function registerListGroups(queue: Command, ctx: CliContext): void {
  queue
    .command('list-groups <topic>')
    .description(
      'the queue groups of a topic, each with the partitions it leased on; exits 1 if a partition failed',
    )
    .action((topic: string, _o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const listing = await queues(s).listGroups(topic);
        if (g.json) ctx.io.out(listingJson(topic, listing));
        else for (const line of listingLines(topic, listing)) ctx.io.out(line);
        if (listing.some((p) => !p.ok)) ctx.exitCode = 1;
      }),
    );
}

function registerSettle(queue: Command, ctx: CliContext, kind: Settle): void {
  const c = queue
    .command(`${kind} <topic> <receipts...>`)
    .description(`${kind} leased messages by receipt; prints each outcome, exits 1 if any failed`)
    .option('--queue <name>', 'queue group', 'default');
  if (kind === 'nack') {
    c.option('--delay-ms <ms>', 'redeliver no sooner than this', uint32, 0).option(
      '--error <text>',
      'why processing failed (kept for the dead-letter copy)',
      '',
    );
  }
  if (kind === 'extend') c.requiredOption('--visibility-ms <ms>', 'new lease duration from now', uint32);
  c.action((topic: string, receipts: string[], o: SettleFlags, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const consumer = queues(s).consumer({ topic, queue: o.queue, autoExtend: false });
      try {
        const outcomes = await settle(consumer, kind, receipts, o);
        for (const out of outcomes) ctx.io.out(formatOutcome(out, g.json, kind === 'extend'));
        if (outcomes.some((out) => !out.ok)) ctx.exitCode = 1;
      } finally {
        await consumer.close();
      }
    }),
  );
}

function settle(
  consumer: ReturnType<CliQueues['consumer']>,
  kind: Settle,
  receipts: readonly string[],
  o: SettleFlags,
): Promise<ReceiptOutcome[]> {
  switch (kind) {
    case 'ack':
      return consumer.ackReceipts(receipts);
    case 'nack':
      return consumer.nackReceipts(receipts, { delayMs: o.delayMs, error: o.error });
    case 'extend':
      return consumer.extendReceipts(receipts, o.visibilityMs ?? 0);
  }
}

async function receive(
  ctx: CliContext,
  q: CliQueues,
  topic: string,
  o: ReceiveFlags,
  json: boolean,
): Promise<void> {
  const consumer = q.consumer({
    topic,
    queue: o.queue,
    maxMessages: o.max,
    visibilityTimeoutMs: o.visibilityMs,
    waitMs: o.waitMs,
    autoExtend: false,
  });
  try {
    const messages = await consumer.receive();
    // Each leader may answer with up to --max: what is over is given back at once.
    const extra = messages.splice(o.max);
    if (extra.length > 0) await consumer.nackReceipts(extra.map((m) => m.receipt));
    for (const m of messages) ctx.io.out(formatQueueMessage(m, json));
    if (o.ack === true && messages.length > 0) {
      const failed = (await consumer.ackReceipts(messages.map((m) => m.receipt))).filter((r) => !r.ok);
      for (const f of failed) ctx.io.err(formatOutcome(f, false, false));
      if (failed.length > 0) ctx.exitCode = 1;
    }
  } finally {
    await consumer.close();
  }
}

function queues(session: CliSession): CliQueues {
  if (session.queues === undefined) throw new RaftlogError('UNIMPLEMENTED', 'this session offers no queues');
  return session.queues;
}
