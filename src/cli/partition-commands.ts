import { InvalidArgumentError, type Command } from 'commander';
import type { ClusterStatus, PartitionMove } from '../client/index.js';
import type { CliAdmin, CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { partitionIndex, positiveInt } from './option-parsers.js';
import { table } from './output-format.js';
import { waitForCluster } from './wait-for-cluster.js';

/** Moves stream snapshots of whole partitions: allow them long. */
const moveTimeoutMsDefault = 30 * 60_000;

function nodeIdList(value: string): number[] {
  const ids = value.split(',').map((part) => positiveInt(part));
  if (new Set(ids).size !== ids.length) throw new InvalidArgumentError(`node ids repeat in "${value}"`);
  return ids;
}

export function registerPartitionCommands(program: Command, ctx: CliContext): void {
  const partition = program.command('partition').description("move a partition's replicas");
  const { io } = ctx;

  partition
    .command('move <topic> <partition>')
    .description('move a partition to other nodes (as many replicas as now, preferred leader first)')
    .requiredOption('--replicas <ids>', 'the new replica set, e.g. 1,4,5', nodeIdList)
    .option('--no-wait', 'return once the move is recorded')
    .option('--timeout-ms <n>', 'how long to wait', positiveInt, moveTimeoutMsDefault)
    .action(
      (
        topic: string,
        partitionText: string,
        o: { replicas: number[]; wait: boolean; timeoutMs: number },
        cmd: Command,
      ) =>
        withSession(ctx, cmd, async (s, g) => {
          const index = partitionIndex(partitionText);
          const started = Date.now();
          await s.admin.reassignPartition(topic, index, o.replicas);
          const move = { topic, partition: index, from: [], to: o.replicas };
          if (o.wait) await waitMoved(ctx, s.admin, [move], o.timeoutMs, true);
          io.out(
            g.json
              ? JSON.stringify({
                  topic,
                  partition: index,
                  replicas: o.replicas,
                  done: o.wait,
                  elapsedMs: Date.now() - started,
                })
              : `${topic}/${index} ${o.wait ? 'moved' : 'moving'} to [${o.replicas.join(',')}]`,
          );
        }),
    );

  program
    .command('rebalance')
    .description('spread replicas and preferred leaders evenly over the active nodes (after adding nodes)')
    .option('--dry-run', 'only show the plan')
    .option('--moves-max <n>', 'at most this many partition moves', positiveInt, 1_000)
    .option('--no-wait', 'return once the moves are recorded')
    .option('--timeout-ms <n>', 'how long to wait', positiveInt, moveTimeoutMsDefault)
    .action((o: { dryRun?: boolean; movesMax: number; wait: boolean; timeoutMs: number }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const dryRun = o.dryRun === true;
        const moves = await s.admin.rebalance({ dryRun, movesMax: o.movesMax });
        if (g.json) io.out(JSON.stringify({ dryRun, moves }));
        else if (moves.length === 0) io.out('balanced: nothing to move');
        else for (const line of planTable(moves)) io.out(line);
        if (dryRun || !o.wait || moves.length === 0) return;
        await waitMoved(ctx, s.admin, moves, o.timeoutMs, g.json);
        if (!g.json) io.out(`rebalanced: ${moves.length} partitions moved`);
      }),
    );
}

function planTable(moves: readonly PartitionMove[]): string[] {
  return table(
    ['TOPIC', 'PARTITION', 'FROM', 'TO'],
    moves.map((m) => [m.topic, String(m.partition), m.from.join(','), m.to.join(',')]),
  );
}

/** A move is done once the partition has the new replicas and no target left. */
function moved(status: ClusterStatus, m: PartitionMove): boolean {
  const p = status.partitions.find((x) => x.topic === m.topic && x.partition === m.partition);
  return (
    p !== undefined &&
    p.targetReplicas.length === 0 &&
    p.replicas.length === m.to.length &&
    m.to.every((id) => p.replicas.includes(id))
  );
}

async function waitMoved(
  ctx: CliContext,
  admin: CliAdmin,
  moves: readonly PartitionMove[],
  timeoutMs: number,
  quiet: boolean,
): Promise<void> {
  let said = -1;
  await waitForCluster(admin, `${moves.length} partition moves`, timeoutMs, (status) => {
    const done = moves.filter((m) => moved(status, m)).length;
    if (!quiet && done !== said) ctx.io.err(`${(said = done)}/${moves.length} moves done`);
    return done === moves.length;
  });
}
