import type { Command } from 'commander';
import { createClient, type ServiceClient } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { RaftlogError } from '../../lib/index.js';
import { idOfPodName } from '../server/node-config.js';
import type { CliContext } from './cli-context.js';
import { globals } from './global-options.js';
import { hostPort, integerIn } from './option-parsers.js';
import { probeAuth } from './probe-auth.js';

interface HandOffFlags {
  address: string;
  nodeId?: number;
  timeoutMs: number;
}

type AdminClient = ServiceClient<typeof AdminService>;
interface Led {
  readonly topic: string;
  readonly partition: number;
  readonly controller: boolean;
}

const roundMs = 200;

/**
 * `raftlog hand-off`: a Kubernetes preStop hook. It moves every leadership the node holds (partitions
 * with another replica, and the controller) to a caught-up follower and returns once the node leads
 * nothing. The node's own SIGTERM handling does the same but for at most 3 s; a preStop may take
 * longer (up to its share of terminationGracePeriodSeconds) and keeps clients off a stopping node.
 * It never changes membership: a hook that removes members breaks ordinary restarts.
 */
export function registerHandOffCommand(program: Command, ctx: CliContext): void {
  program
    .command('hand-off')
    .description('move every leadership off one node (a preStop hook); exit 0 once it leads nothing')
    .requiredOption('--address <host:port>', 'the node to empty of leaderships', hostPort)
    .option(
      '--node-id <n>',
      'its id (default: RAFTLOG_ID, or from RAFTLOG_ID_FROM_POD_NAME)',
      integerIn(1, 2 ** 31 - 1),
    )
    .option('--timeout-ms <ms>', 'give up after this long', integerIn(1, 3_600_000), 30_000)
    .action(async (flags: HandOffFlags, cmd: Command) => {
      const self = flags.nodeId ?? nodeIdFromEnv(ctx.io.env);
      const auth = probeAuth(flags.address, globals(cmd).auth);
      const admin = createClient(AdminService, flags.address, {
        ...(auth.interceptors === undefined ? {} : { interceptors: auth.interceptors }),
      });
      try {
        const moved = new Set<string>();
        const left = await handOff(admin, self, Date.now() + flags.timeoutMs, moved);
        if (left === undefined) {
          ctx.io.err(`raftlog: UNAVAILABLE: node ${self} at ${flags.address} never said what it leads`);
          ctx.exitCode = 1;
        } else if (left.length === 0) {
          const list = moved.size === 0 ? '' : `: ${[...moved].join(', ')}`;
          ctx.io.out(`node ${self} handed over ${moved.size} leaderships${list}; it leads nothing`);
        } else {
          ctx.io.err(`raftlog: TIMEOUT: node ${self} still leads ${left.map(describe).join(', ')}`);
          ctx.exitCode = 1;
        }
      } finally {
        admin.close();
        auth.close();
      }
    });
}

export function nodeIdFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const problems: string[] = [];
  const id =
    env['RAFTLOG_ID'] !== undefined && env['RAFTLOG_ID'] !== ''
      ? Number(env['RAFTLOG_ID'])
      : env['RAFTLOG_ID_FROM_POD_NAME'] !== undefined
        ? idOfPodName(env['RAFTLOG_ID_FROM_POD_NAME'], problems)
        : undefined;
  if (id === undefined || !Number.isSafeInteger(id) || id < 1) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      problems[0] ?? 'which node? give --node-id, RAFTLOG_ID or RAFTLOG_ID_FROM_POD_NAME',
    );
  }
  return id;
}

/** Rounds of "what do I lead → ask each to move" until nothing is led or the deadline passes. */
async function handOff(
  admin: AdminClient,
  self: number,
  deadline: number,
  moved: Set<string>,
): Promise<Led[] | undefined> {
  // Undefined until the node first answers: an unreachable node is not one that leads nothing.
  let led: Led[] | undefined;
  for (;;) {
    led = await leaderships(admin, self, deadline).catch(() => led);
    if (led?.length === 0 || Date.now() >= deadline) return led;
    for (const l of led ?? []) moved.add(describe(l));
    await Promise.all((led ?? []).map((l) => moveOne(admin, l, deadline)));
    await new Promise((r) => setTimeout(r, Math.min(roundMs, Math.max(0, deadline - Date.now()))));
  }
}

async function leaderships(admin: AdminClient, self: number, deadline: number): Promise<Led[]> {
  const status = await admin.clusterStatus({ omitPartitions: false }, { timeoutMs: left(deadline) });
  const led: Led[] = status.partitions
    .filter((p) => p.leaderId === self && p.replicas.length > 1)
    .map((p) => ({ topic: p.topic, partition: p.partition, controller: false }));
  const c = status.controller;
  if (c !== undefined && c.leaderId === self && c.voters.length > 1) {
    led.push({ topic: '', partition: 0, controller: true });
  }
  return led;
}

async function moveOne(admin: AdminClient, l: Led, deadline: number): Promise<void> {
  // Refusals (no caught-up follower yet, an election under way) are retried by the next round.
  await admin
    .transferLeadership({ ...l, targetNodeId: 0 }, { timeoutMs: left(deadline) })
    .catch(() => undefined);
}

const left = (deadline: number): number => Math.max(1, deadline - Date.now());
const describe = (l: Led): string => (l.controller ? 'the controller' : `${l.topic}/${l.partition}`);
