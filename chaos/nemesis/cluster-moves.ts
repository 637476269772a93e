import { setTimeout as sleep } from 'node:timers/promises';
import type { Prng } from '../../lib/index.js';
import type { ChaosNode } from '../cluster/index.js';
import { nothingToHeal, type FaultInForce } from './fault-action.js';
import type { NemesisContext } from './nemesis-context.js';

/** Restarts every node in turn, gracefully (SIGTERM hands leadership over first), each back up before the next. */
export function restartRolling(
  nodes: readonly ChaosNode[],
  inSync: (node: number) => Promise<string>,
): Promise<FaultInForce> {
  const waits: string[] = [];
  return Promise.resolve({
    nodes: nodes.map((n) => n.id),
    description: `rolling restart of nodes ${nodes.map((n) => n.id).join(', ')}, each back in sync before the next`,
    ongoing: async () => {
      for (const node of nodes) {
        await node.stop();
        await node.start();
        waits.push(await inSync(node.id));
      }
    },
    heal: () => Promise.resolve(waits.join('; ')),
  });
}

/** Moves leaderships around quickly: several transfers to random nodes, a fraction of a second apart. */
export function transferStorm(ctx: NemesisContext, prng: Prng): Promise<FaultInForce> {
  const count = prng.intBetween(4, 10);
  const moves = Array.from({ length: count }, () => ({
    partition: prng.intBetween(0, ctx.partitions - 1),
    toNode: prng.pick(ctx.cluster.nodes).id,
    pauseMs: prng.intBetween(50, 300),
  }));
  let refused = 0;
  return Promise.resolve({
    nodes: [],
    description: `${count} leadership transfers`,
    ongoing: async () => {
      for (const move of moves) {
        await ctx.admin
          .transferLeadership({ topic: ctx.topic, partition: move.partition, toNode: move.toNode })
          .catch(() => refused++);
        await sleep(move.pauseMs);
      }
    },
    heal: () => Promise.resolve(`${count} transfers done, ${refused} refused or timed out`),
  });
}

/**
 * Changes one partition's replica set while the workload runs: moves a replica to a node outside
 * the set when there is one, else removes a replica and adds it back on heal.
 */
export async function moveReplica(ctx: NemesisContext, prng: Prng, preferred: number): Promise<FaultInForce> {
  const partition = prng.intBetween(0, ctx.partitions - 1);
  const details = await ctx.admin.describeTopic(ctx.topic);
  const replicas = details.partitionStatus.find((p) => p.partition === partition)?.replicas ?? [];
  const outside = ctx.cluster.nodes.map((n) => n.id).filter((id) => !replicas.includes(id));
  const leaving = replicas.includes(preferred)
    ? preferred
    : prng.pick(replicas.length > 0 ? replicas : [preferred]);
  const key = `${ctx.topic}/${partition}`;
  const attempt = (what: string, call: () => Promise<void>) =>
    call().then(
      () => `${what} done`,
      (error: unknown) => `${what} failed: ${(error as Error).message}`,
    );
  if (outside.length > 0) {
    const joining = prng.pick(outside);
    const added = await attempt(`add node ${joining}`, () =>
      ctx.admin.addReplica(ctx.topic, partition, joining),
    );
    const removed = await attempt(`remove node ${leaving}`, () =>
      ctx.admin.removeReplica(ctx.topic, partition, leaving),
    );
    return {
      nodes: [leaving, joining],
      description: `${key}: move a replica from node ${leaving} to node ${joining} (${added}; ${removed})`,
      heal: nothingToHeal,
    };
  }
  const removed = await attempt(`remove node ${leaving}`, () =>
    ctx.admin.removeReplica(ctx.topic, partition, leaving),
  );
  return {
    nodes: [leaving],
    description: `${key}: replica on node ${leaving} removed (${removed})`,
    heal: async () => {
      const added = await attempt(`${key}: add node ${leaving} back`, () =>
        ctx.admin.addReplica(ctx.topic, partition, leaving),
      );
      return `${added}; ${await settledWith(ctx, partition, leaving)}`;
    },
  };
}

const settleTimeoutMs = 20_000;

/** Waits until the partition's replica set holds `node` as a voter and no move is under way. */
async function settledWith(ctx: NemesisContext, partition: number, node: number): Promise<string> {
  const started = Date.now();
  while (Date.now() - started < settleTimeoutMs) {
    const details = await ctx.admin.describeTopic(ctx.topic).catch(() => undefined);
    const status = details?.partitionStatus.find((p) => p.partition === partition);
    if (status !== undefined && status.replicas.includes(node) && status.learners.length === 0) {
      return `voter again after ${Date.now() - started} ms`;
    }
    await sleep(200);
  }
  return `not a voter again after ${settleTimeoutMs} ms`;
}
