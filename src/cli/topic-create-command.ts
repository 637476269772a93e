import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { RaftlogError } from '../../lib/index.js';
import type { CreateTopicInput, TopicCreateResult, TopicDetails, TopicSettings } from '../client/index.js';
import type { CliContext, CliIo } from './cli-context.js';
import { withSession } from './global-options.js';
import { nonNegativeInt, positiveInt } from './option-parsers.js';
import { configHelp, withKafkaConfig } from './topic-format.js';
import { collectTopicConfig } from './topic-config-option.js';

interface CreateFlags {
  readonly partitions: number;
  readonly replicas: number;
  readonly config?: TopicSettings;
  readonly fromFile?: string;
}

/**
 * `topic create A B C …` and `--from-file F`: one name creates as before; more go in one CreateTopics
 * call with the flags applying to all, one line per topic, exit code 1 if any failed.
 */
export function registerTopicCreate(topic: Command, ctx: CliContext): void {
  topic
    .command('create [names...]')
    .description('create topics: names as arguments and/or one per line of --from-file (- for stdin)')
    .option('--partitions <n>', 'partition count', positiveInt, 1)
    .option('--replicas <n>', 'replicas per partition (0: cluster default)', nonNegativeInt, 0)
    .option('--config <key=value>', configHelp, collectTopicConfig)
    .option('--from-file <path>', 'topic names, one per line; blank lines and # comments skipped')
    .action((names: string[], o: CreateFlags, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const all = [...names, ...(o.fromFile === undefined ? [] : await namesFrom(o.fromFile, ctx.io))];
        if (all.length === 0) throw new RaftlogError('INVALID_ARGUMENT', 'name at least one topic');
        const inputs = all.map((name) => topicInput(name, o));
        const [only] = inputs;
        if (inputs.length === 1 && only !== undefined) {
          printCreated(ctx.io, g.json, await s.admin.createTopic(only));
          return;
        }
        const results = await s.admin.createTopics(inputs);
        for (const r of results) printResult(ctx.io, g.json, r);
        if (results.some((r) => 'error' in r)) ctx.exitCode = 1;
      }),
    );
}

function topicInput(name: string, o: CreateFlags): CreateTopicInput {
  return {
    name,
    partitions: o.partitions,
    replicas: o.replicas,
    ...(o.config === undefined ? {} : { config: o.config }),
  };
}

/** Names of a file (or stdin for `-`): one per line, trimmed, blank lines and `#` comments skipped. */
export async function namesFrom(path: string, io: CliIo): Promise<string[]> {
  const lines: string[] = [];
  if (path === '-') for await (const line of io.stdinLines()) lines.push(line);
  else lines.push(...(await readFile(path, 'utf8')).split('\n'));
  return lines.map((line) => line.replace(/#.*/, '').trim()).filter((line) => line !== '');
}

function printCreated(io: CliIo, json: boolean, t: TopicDetails): void {
  io.out(
    json
      ? JSON.stringify(withKafkaConfig(t))
      : `created topic ${t.name}: ${t.partitions} partitions, ${t.replicationFactor} replicas`,
  );
}

function printResult(io: CliIo, json: boolean, r: TopicCreateResult): void {
  if ('topic' in r) printCreated(io, json, r.topic);
  else if (json)
    io.out(JSON.stringify({ name: r.name, error: { code: r.error.code, message: r.error.message } }));
  else io.out(`failed topic ${r.name}: ${r.error.code}: ${r.error.message}`);
}
