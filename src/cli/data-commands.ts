import type { Command } from 'commander';
import type { AcksMode, StartPosition } from '../client/index.js';
import type { CliContext } from './cli-context.js';
import { RaftlogError } from '../../lib/index.js';
import { consumeInGroup } from './consume-group.js';
import { consumeRecords } from './consume-records.js';
import { withSession } from './global-options.js';
import { acksMode, nonNegativeInt, partitionIndex, positiveInt, startPosition } from './option-parsers.js';
import { formatRecord } from './output-format.js';
import { produceLines } from './produce-lines.js';

interface ProduceFlags {
  key?: string;
  partition?: number;
  acks: AcksMode;
  lingerMs: number;
  delayMs?: number;
}

interface ConsumeFlags {
  group?: string;
  partition?: number;
  from: StartPosition;
  max?: number;
  timeoutMs?: number;
}

export function registerDataCommands(program: Command, ctx: CliContext): void {
  program
    .command('produce <topic>')
    .description('send each stdin line as a record; prints partition:offset per record, in input order')
    .option('--key <key>', 'key of every record (default: none, records spread over partitions)')
    .option('--partition <n>', 'partition (default: by key, else round robin)', partitionIndex)
    .option('--acks <mode>', 'quorum|leader|none', acksMode, 'quorum')
    .option('--linger-ms <ms>', 'how long a batch waits for more lines', nonNegativeInt, 5)
    .option(
      '--delay-ms <ms>',
      'queue consumers see each record this long after it is sent (raftlog-deliver-at-ms)',
      nonNegativeInt,
    )
    .action((topic: string, o: ProduceFlags, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        const producer = session.producer({ acks: o.acks, lingerMs: o.lingerMs });
        const result = await produceLines(
          ctx.io.stdinLines(),
          (value) =>
            producer.send({
              topic,
              value,
              ...(o.key === undefined ? {} : { key: o.key }),
              ...(o.partition === undefined ? {} : { partition: o.partition }),
              ...(o.delayMs === undefined ? {} : { deliverAtMs: Date.now() + o.delayMs }),
            }),
          { json: g.json, windowRecords: 4096, out: (l) => ctx.io.out(l), err: (l) => ctx.io.err(l) },
        );
        await producer.close();
        if (result.failed > 0) ctx.exitCode = 1;
      }),
    );

  program
    .command('consume <topic>')
    .description('print records (their values, or --json objects) until --max or --timeout-ms')
    .option('--partition <n>', 'one partition (default: all)', partitionIndex)
    .option('--group <id>', 'consume as a member of this group; commits what it printed before exiting')
    .option(
      '--from <position>',
      'earliest|latest|OFFSET (with --group: where a partition without a committed offset starts)',
      startPosition,
      'earliest',
    )
    .option('--max <n>', 'stop after this many records', positiveInt)
    .option('--timeout-ms <ms>', 'stop after this long without a new record', positiveInt)
    .action((topic: string, o: ConsumeFlags, cmd: Command) =>
      withSession(ctx, cmd, async (session, g) => {
        if (o.group !== undefined) {
          if (o.partition !== undefined) {
            throw new RaftlogError(
              'INVALID_ARGUMENT',
              '--partition and --group exclude each other: the group assigns partitions',
            );
          }
          const { group, from } = o;
          await consumeInGroup(
            ctx,
            session,
            topic,
            {
              group,
              from,
              ...(o.max === undefined ? {} : { max: o.max }),
              ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }),
            },
            (record) => ctx.io.out(formatRecord(record, g.json)),
          );
          return;
        }
        const consumer = session.consumer({ from: o.from });
        try {
          if (o.partition === undefined) await consumer.assignTopic(topic, o.from);
          else consumer.assign([{ topic, partition: o.partition, from: o.from }]);
          await consumeRecords(
            consumer,
            {
              ...(o.max === undefined ? {} : { max: o.max }),
              ...(o.timeoutMs === undefined ? {} : { idleTimeoutMs: o.timeoutMs }),
            },
            (record) => ctx.io.out(formatRecord(record, g.json)),
          );
        } finally {
          await consumer.close();
        }
      }),
    );
}
