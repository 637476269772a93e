import type { Command } from 'commander';
import { RaftlogError } from '../../lib/index.js';
import type { GroupDetails, GroupOffsetReset, ResetGroupOffsetsInput } from '../client/index.js';
import type { CliContext, CliGroupAdmin, CliSession } from './cli-context.js';
import { withSession } from './global-options.js';
import { offsetResetTarget } from './offset-reset-target.js';
import { partitionIndex } from './option-parsers.js';
import { table } from './output-format.js';

interface ResetFlags {
  topic: string;
  to: ResetGroupOffsetsInput['to'];
  partition?: number[];
  dryRun?: boolean;
}

export function registerGroupCommands(program: Command, ctx: CliContext): void {
  const group = program.command('group').description('list, describe and reset consumer groups');
  const { io } = ctx;

  group
    .command('list')
    .description('every group with its kind and state')
    .action((_o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const groups = await groupAdmin(s).listGroups();
        if (g.json) io.out(JSON.stringify(groups));
        else
          for (const line of table(
            ['GROUP', 'STATE'],
            groups.map((x) => [x.group, x.state]),
          ))
            io.out(line);
      }),
    );

  group
    .command('describe <group>')
    .description('members with their partitions, and committed offset, end and lag per partition')
    .action((id: string, _o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const info = await groupAdmin(s).describeGroup(id);
        if (g.json) io.out(groupJson(info));
        else for (const line of groupLines(info)) io.out(line);
      }),
    );

  group
    .command('reset-offsets <group>')
    .description('move the committed offsets of a group without members')
    .requiredOption('--topic <topic>', 'topic whose offsets move')
    .requiredOption(
      '--to <where>',
      'earliest|latest|OFFSET|TIMESTAMP (ISO 8601 or epoch ms)',
      offsetResetTarget,
    )
    .option('--partition <n>', 'only this partition (repeatable; default: all)', collectPartitions)
    .option('--dry-run', 'print the new offsets without committing them')
    .action((id: string, o: ResetFlags, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const dryRun = o.dryRun === true;
        const offsets = await groupAdmin(s).resetGroupOffsets({
          group: id,
          topic: o.topic,
          to: o.to,
          dryRun,
          ...(o.partition === undefined ? {} : { partitions: o.partition }),
        });
        if (g.json) io.out(JSON.stringify({ group: id, dryRun, offsets }));
        else for (const line of resetLines(offsets, dryRun)) io.out(line);
      }),
    );
}

function groupAdmin(session: CliSession): CliGroupAdmin {
  if (session.groups === undefined)
    throw new RaftlogError('UNIMPLEMENTED', 'this session has no consumer groups');
  return session.groups.admin;
}

function collectPartitions(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), partitionIndex(value)];
}

/** Exactly `{"group","state","members":[…],"partitions":[{"topic","partition","committed","end","lag"}]}`. */
export function groupJson(info: GroupDetails): string {
  return JSON.stringify({
    group: info.group,
    state: info.state,
    members: info.members.map((m) => ({
      memberId: m.memberId,
      clientId: m.clientId,
      host: m.clientHost,
      instanceId: m.instanceId === '' ? null : m.instanceId,
      partitions: m.assignment.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
    })),
    partitions: info.partitions.map((p) => ({
      topic: p.topic,
      partition: p.partition,
      committed: p.committed,
      end: p.end,
      lag: p.lag,
    })),
  });
}

export function groupLines(info: GroupDetails): string[] {
  const lines = [
    `group ${info.group}: ${info.state}, generation ${info.generation}, ${info.members.length} members, lag ${info.lag}`,
  ];
  if (info.members.length > 0) {
    lines.push(
      '',
      ...table(
        ['MEMBER', 'INSTANCE', 'CLIENT', 'HOST', 'PARTITIONS'],
        info.members.map((m) => [
          m.memberId,
          m.instanceId === '' ? '-' : m.instanceId,
          m.clientId,
          m.clientHost,
          m.assignment.map((tp) => `${tp.topic}/${tp.partition}`).join(',') || '-',
        ]),
      ),
    );
  }
  if (info.partitions.length > 0) {
    lines.push(
      '',
      ...table(
        ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'],
        info.partitions.map((p) => [
          p.topic,
          String(p.partition),
          p.committed < 0 ? '-' : String(p.committed),
          String(p.end),
          String(p.lag),
        ]),
      ),
    );
  }
  return lines;
}

function resetLines(offsets: readonly GroupOffsetReset[], dryRun: boolean): string[] {
  return [
    ...table(
      ['TOPIC', 'PARTITION', 'PREVIOUS', 'NEW'],
      offsets.map((o) => [
        o.topic,
        String(o.partition),
        o.previous < 0 ? '-' : String(o.previous),
        String(o.offset),
      ]),
    ),
    ...(dryRun ? ['(dry run: nothing committed)'] : []),
  ];
}
