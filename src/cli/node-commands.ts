import type { Command } from 'commander';
import type { ClusterStatus, NodeInfo } from '../client/index.js';
import type { CliAdmin, CliContext } from './cli-context.js';
import { withSession } from './global-options.js';
import { positiveInt } from './option-parsers.js';
import { table } from './output-format.js';
import { waitForCluster } from './wait-for-cluster.js';

/** A decommission moves every replica of the node: allow it long. */
const removeTimeoutMsDefault = 30 * 60_000;

type ControllerRole = 'voter' | 'learner' | '-';

function controllerRole(status: ClusterStatus, id: number): ControllerRole {
  if (status.controller.voters.includes(id)) return 'voter';
  return status.controller.learners.includes(id) ? 'learner' : '-';
}

export function registerNodeCommands(program: Command, ctx: CliContext): void {
  const node = program.command('node').description('list nodes, decommission one');
  const { io } = ctx;

  node
    .command('list')
    .description('every registered node: address, liveness, membership, controller role, load')
    .action((_o: unknown, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        // Leaderships are counted from each partition's leader, so the partitions are asked for too.
        const status = await s.admin.clusterStatus();
        const rows = status.nodes.map((n) => ({ ...n, controller: controllerRole(status, n.id) }));
        if (g.json) {
          io.out(JSON.stringify({ controllerLeader: status.controller.leader, nodes: rows }));
          return;
        }
        const cells = rows.map((n) => [
          String(n.id),
          n.address,
          n.alive ? 'yes' : 'no',
          n.membership,
          n.id === status.controller.leader ? 'leader' : n.controller,
          String(n.replicas),
          String(n.leaders),
        ]);
        for (const line of table(
          ['ID', 'ADDRESS', 'ALIVE', 'MEMBERSHIP', 'CONTROLLER', 'REPLICAS', 'LEADS'],
          cells,
        ))
          io.out(line);
      }),
    );

  node
    .command('remove <id>')
    .description(
      'decommission a node: its replicas move to the least-loaded other nodes, then it leaves the ' +
        'controller and is removed for good; waits until it is done, printing progress',
    )
    .option('--no-wait', 'return once the decommission is recorded')
    .option('--timeout-ms <n>', 'how long to wait', positiveInt, removeTimeoutMsDefault)
    .action((idText: string, o: { wait: boolean; timeoutMs: number }, cmd: Command) =>
      withSession(ctx, cmd, async (s, g) => {
        const id = positiveInt(idText);
        const started = Date.now();
        const { replicasLeft } = await s.admin.removeNode(id);
        if (!g.json) io.err(`node ${id}: decommissioning, ${replicasLeft} replicas to move`);
        const final = o.wait ? await waitRemoved(ctx, s.admin, id, o.timeoutMs, g.json) : undefined;
        const membership = final?.membership ?? 'draining';
        const elapsedMs = Date.now() - started;
        io.out(
          g.json
            ? JSON.stringify({
                nodeId: id,
                membership,
                replicasLeft: final?.replicas ?? replicasLeft,
                elapsedMs,
              })
            : final === undefined
              ? `node ${id}: decommission started; watch it with "raftlog node list"`
              : `node ${id} removed in ${(elapsedMs / 1000).toFixed(1)} s: stop its process and delete its data`,
        );
      }),
    );
}

async function waitRemoved(
  ctx: CliContext,
  admin: CliAdmin,
  id: number,
  timeoutMs: number,
  quiet: boolean,
): Promise<NodeInfo> {
  let said = '';
  const status = await waitForCluster(admin, `node ${id} to be removed`, timeoutMs, (s) => {
    const n = s.nodes.find((x) => x.id === id);
    const line = `node ${id}: ${n?.membership ?? 'unknown'}, ${n?.replicas ?? 0} replicas left`;
    if (!quiet && line !== said) ctx.io.err((said = line));
    return n?.membership === 'removed' && controllerRole(s, id) === '-';
  });
  return status.nodes.find((x) => x.id === id)!;
}
