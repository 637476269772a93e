import type { Command } from 'commander';
import type { TopicDetails } from '../client/index.js';
import type { CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { nonNegativeInt, positiveInt } from './option-parsers.js';
import { table } from './output-format.js';

export function registerTopicCommands(program: Command, ctx: CliContext): void {
  const topic = program.command('topic').description('create, list, describe and delete topics');
  const { io } = ctx;

  topic
    .command('create <name>')
    .option('--partitions <n>', 'partition count', positiveInt, 1)
    .option('--replicas <n>', 'replicas per partition (0: cluster default)', nonNegativeInt, 0)
    .action((name: string, o: { partitions: number; replicas: number }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const t = await s.admin.createTopic({ name, partitions: o.partitions, replicas: o.replicas });
        io.out(
          g.json
            ? JSON.stringify(t)
            : `created topic ${t.name}: ${t.partitions} partitions, ${t.replicationFactor} replicas`,
        );
      }),
    );

  topic.command('list').action((_o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const topics = await s.admin.listTopics();
      if (g.json) io.out(JSON.stringify(topics));
      else
        for (const line of table(
          ['TOPIC', 'PARTITIONS', 'REPLICAS'],
          topics.map((t) => [t.name, String(t.partitions), String(t.replicationFactor)]),
        ))
          io.out(line);
    }),
  );

  topic.command('describe <name>').action((name: string, _o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      const t = await s.admin.describeTopic(name);
      if (g.json) io.out(JSON.stringify(t));
      else for (const line of describeLines(t)) io.out(line);
    }),
  );

  topic.command('delete <name>').action((name: string, _o: unknown, cmd: Command) =>
    withSession(ctx, cmd, async (s, g) => {
      await s.admin.deleteTopic(name);
      io.out(g.json ? JSON.stringify({ deleted: name }) : `deleted topic ${name}`);
    }),
  );
}

export function describeLines(t: TopicDetails): string[] {
  return [
    `topic ${t.name}: ${t.partitions} partitions, ${t.replicationFactor} replicas, config ${JSON.stringify(t.config)}`,
    '',
    ...table(
      ['PARTITION', 'LEADER', 'TERM', 'REPLICAS', 'IN-SYNC', 'HW', 'START'],
      t.partitionStatus.map((p) => [
        String(p.partition),
        p.leader === 0 ? (p.error ?? 'none') : String(p.leader),
        String(p.term),
        p.replicas.join(','),
        p.inSync.join(','),
        String(p.highWatermark),
        String(p.logStartOffset),
      ]),
    ),
  ];
}
