import type { Command } from 'commander';
import { createClient } from '../../cluster/rpc/index.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import type { CliContext } from './cli-context.js';
import { globals } from './global-options.js';
import { hostPort, integerIn } from './option-parsers.js';

interface HealthFlags {
  address: string;
  timeoutMs: number;
  ready?: boolean;
}

interface HealthVerdict {
  readonly ok: boolean;
  readonly status: string;
  readonly detail: string;
}

// A probe must not wait on grpc-js's reconnect backoff or share a channel with anything else.
const probeChannelOptions = { 'grpc.use_local_subchannel_pool': 1, 'grpc.max_reconnect_backoff_ms': 500 };

/**
 * `raftlog health`: one node's grpc.health.v1 status, for Docker HEALTHCHECK and Kubernetes probes.
 * `--ready` also asks the node's own ClusterStatus (answered from its local controller replica) for a
 * controller leader: a node that has not heard from one since it started is not caught up with the
 * cluster's metadata and should not take client traffic yet.
 */
export function registerHealthCommand(program: Command, ctx: CliContext): void {
  program
    .command('health')
    .description('probe one node: exit 0 when it is SERVING (and with --ready, follows a controller leader)')
    .requiredOption('--address <host:port>', 'the node to probe', hostPort)
    .option('--timeout-ms <ms>', 'give up after this long', integerIn(1, 600_000), 2_000)
    .option('--ready', 'also require a known controller leader in the node’s own view')
    .action(async (flags: HealthFlags, cmd: Command) => {
      const verdict = await probe(flags);
      if (globals(cmd).json) ctx.io.out(JSON.stringify({ address: flags.address, ...verdict }));
      else
        ctx.io.out(`${flags.address} ${verdict.status}${verdict.detail === '' ? '' : `: ${verdict.detail}`}`);
      ctx.exitCode = verdict.ok ? 0 : 1;
    });
}

export async function probe(flags: HealthFlags): Promise<HealthVerdict> {
  const deadline = Date.now() + flags.timeoutMs;
  const health = createClient(Health, flags.address, { channelOptions: probeChannelOptions });
  try {
    const { status } = await health.check({ service: '' }, { timeoutMs: flags.timeoutMs });
    const name = HealthCheckResponse_ServingStatus[status] ?? String(status);
    if (status !== HealthCheckResponse_ServingStatus.SERVING) return { ok: false, status: name, detail: '' };
    if (flags.ready !== true) return { ok: true, status: name, detail: '' };
    return await readiness(flags.address, Math.max(1, deadline - Date.now()));
  } catch (error) {
    return {
      ok: false,
      status: 'UNREACHABLE',
      detail: error instanceof Error ? error.message : String(error),
    };
  } finally {
    health.close();
  }
}

async function readiness(address: string, timeoutMs: number): Promise<HealthVerdict> {
  const admin = createClient(AdminService, address, { channelOptions: probeChannelOptions });
  try {
    const status = await admin.clusterStatus({ omitPartitions: true }, { timeoutMs });
    const leader = status.controller?.leaderId ?? 0;
    return leader === 0
      ? { ok: false, status: 'NOT_READY', detail: 'no controller leader known to this node' }
      : { ok: true, status: 'READY', detail: `controller leader ${leader}` };
  } finally {
    admin.close();
  }
}
