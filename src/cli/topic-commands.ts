import type { Command } from 'commander';
import type { TopicDetails, TopicSettings } from '../client/index.js';
import type { CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { table } from './output-format.js';
import { registerTopicCreate } from './topic-create-command.js';
import { configHelp, withKafkaConfig } from './topic-format.js';
import { collectTopicConfig, kafkaTopicConfig, type TopicConfigValue } from './topic-config-option.js';

export function registerTopicCommands(program: Command, ctx: CliContext): void {
  const topic = program.command('topic').description('create, list, describe and delete topics');
  const { io } = ctx;

  registerTopicCreate(topic, ctx);

  topic
    .command('alter <name>')
    .description("change a topic's settings; the others keep their values")
    .requiredOption('--config <key=value>', configHelp, collectTopicConfig)
    .action((name: string, o: { config: TopicSettings }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const config = kafkaTopicConfig(await s.admin.alterTopicConfig(name, o.config));
        io.out(g.json ? JSON.stringify({ name, config }) : `altered topic ${name}: ${configLine(config)}`);
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
      if (g.json) io.out(JSON.stringify(withKafkaConfig(t)));
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
    `topic ${t.name}: ${t.partitions} partitions, ${t.replicationFactor} replicas`,
    `config: ${configLine(kafkaTopicConfig(t.config))}`,
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

function configLine(config: Record<string, TopicConfigValue>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}
