import type { Interceptor } from '@grpc/grpc-js';
import type { Command } from 'commander';
import { createClient, parseHostAliases, setHostAliases } from '../../rpc/index.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { controllerQuorumHealthService } from '../server/readiness-health.js';
import type { CliContext } from './cli-context.js';
import { nodeIdFromEnv } from './hand-off-command.js';
import { globals } from './global-options.js';
import { probeAuth } from './probe-auth.js';
import { hostPort, integerIn } from './option-parsers.js';
import { probeChannelOptions, readiness, type HealthVerdict } from './readiness.js';

interface HealthFlags {
  address: string;
  timeoutMs: number;
  ready?: boolean;
  nodeId?: number;
  lagEntriesMax: number;
}

/**
 * `raftlog health`: one node's grpc.health.v1 status, for Docker HEALTHCHECK and Kubernetes probes.
 * `--ready` adds readiness.ts: following a controller leader and caught up with every group's
 * leader, so a rolling update moves on only once the restarted node has rejoined. It honours
 * RAFTLOG_HOST_ALIASES as the node does, since it may dial the leaders by their advertised names.
 */
export function registerHealthCommand(program: Command, ctx: CliContext): void {
  program
    .command('health')
    .description('probe one node: exit 0 when it is SERVING (with --ready: and caught up with its leaders)')
    .requiredOption('--address <host:port>', 'the node to probe', hostPort)
    .option('--timeout-ms <ms>', 'give up after this long', integerIn(1, 600_000), 2_000)
    .option('--ready', 'also require a controller leader and every replica caught up with its leader')
    .option(
      '--node-id <n>',
      'the node’s id, for --ready (default: RAFTLOG_ID, or from RAFTLOG_ID_FROM_POD_NAME)',
      integerIn(1, 2 ** 31 - 1),
    )
    .option('--lag-entries-max <n>', 'for --ready: entries a replica may trail', integerIn(0, 1e9), 1_000)
    .action(async (flags: HealthFlags, cmd: Command) => {
      const env = ctx.io.env;
      setHostAliases(parseHostAliases(env['RAFTLOG_HOST_ALIASES'] ?? '', []));
      const known = (env['RAFTLOG_ID'] ?? env['RAFTLOG_ID_FROM_POD_NAME'] ?? '') !== '';
      const self = flags.nodeId ?? (known ? nodeIdFromEnv(env) : undefined);
      const auth = probeAuth(flags.address, globals(cmd).auth);
      const verdict = await probe(flags, self, auth.interceptors).finally(() => auth.close());
      if (globals(cmd).json) ctx.io.out(JSON.stringify({ address: flags.address, ...verdict }));
      else
        ctx.io.out(`${flags.address} ${verdict.status}${verdict.detail === '' ? '' : `: ${verdict.detail}`}`);
      ctx.exitCode = verdict.ok ? 0 : 1;
    });
}

export async function probe(
  flags: HealthFlags,
  self: number | undefined,
  interceptors?: Interceptor[],
): Promise<HealthVerdict> {
  const deadline = Date.now() + flags.timeoutMs;
  const health = createClient(Health, flags.address, { channelOptions: probeChannelOptions });
  try {
    const { status } = await health.check({ service: '' }, { timeoutMs: flags.timeoutMs });
    const name = HealthCheckResponse_ServingStatus[status] ?? String(status);
    if (status !== HealthCheckResponse_ServingStatus.SERVING) return { ok: false, status: name, detail: '' };
    if (flags.ready !== true) return { ok: true, status: name, detail: '' };
    const quorum = await health.check(
      { service: controllerQuorumHealthService },
      { timeoutMs: flags.timeoutMs },
    );
    // SERVICE_UNKNOWN: a node from before this check; the lag checks below still apply.
    if (quorum.status === HealthCheckResponse_ServingStatus.NOT_SERVING) {
      return { ok: false, status: 'NOT_READY', detail: 'cannot reach a quorum of the controller group' };
    }
    return await readiness({
      address: flags.address,
      self,
      lagEntriesMax: flags.lagEntriesMax,
      deadline,
      ...(interceptors === undefined ? {} : { interceptors }),
    });
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
