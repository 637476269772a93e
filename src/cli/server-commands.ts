import type { Command } from 'commander';
import type { RawSettings } from '../server/node-config.js';
import type { CliContext } from './cli-context.js';
import { hostPort, positiveInt } from './option-parsers.js';

interface StartFlags {
  id?: string;
  idFromPodName?: string;
  hostAliases?: string;
  listen?: string;
  advertise?: string;
  peers?: string;
  data?: string;
  config?: string;
  tickMs?: string;
  electionTimeoutTicks?: string;
  heartbeatIntervalTicks?: string;
  messageBytesMax?: string;
  logLevel?: string;
  connectionsMax?: string;
  callsPerConnectionMax?: string;
  clientStreamsMax?: string;
  clientStreamsPerConnectionMax?: string;
  auth?: string;
  superusers?: string;
  authTokenTtlMs?: string;
  bootstrapAdminUser?: string;
}

/** Flags pass through as text: node-config validates them with env and file settings in one place. */
export function startFlagsToSettings(flags: StartFlags): RawSettings {
  const settings: RawSettings = {
    id: flags.id,
    idFromPodName: flags.idFromPodName,
    hostAliases: flags.hostAliases,
    listen: flags.listen,
    advertise: flags.advertise,
    peers: flags.peers,
    dataDir: flags.data,
    config: flags.config,
    tickMs: flags.tickMs,
    electionTimeoutTicks: flags.electionTimeoutTicks,
    heartbeatIntervalTicks: flags.heartbeatIntervalTicks,
    messageBytesMax: flags.messageBytesMax,
    logLevel: flags.logLevel,
    connectionsMax: flags.connectionsMax,
    callsPerConnectionMax: flags.callsPerConnectionMax,
    clientStreamsMax: flags.clientStreamsMax,
    clientStreamsPerConnectionMax: flags.clientStreamsPerConnectionMax,
    auth: flags.auth,
    superusers: flags.superusers,
    authTokenTtlMs: flags.authTokenTtlMs,
    bootstrapAdminUser: flags.bootstrapAdminUser,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

export function registerServerCommands(program: Command, ctx: CliContext): void {
  program
    .command('start')
    .description('run one node until SIGINT or SIGTERM (flags override RAFTLOG_* env and --config)')
    .option('--id <n>', 'node id')
    .option('--id-from-pod-name <name>', 'node id = ordinal + 1 of a StatefulSet pod name (raftlog-0 → 1)')
    .option('--host-aliases <list>', 'dial these names at these addresses: NAME=IP,NAME=IP,...')
    .option('--listen <host:port>', 'address to listen on')
    .option('--advertise <host:port>', 'address clients are told to use (default: --listen)')
    .option('--peers <list>', 'initial voters: 1=HOST:PORT,2=HOST:PORT,...')
    .option('--data <dir>', 'data directory')
    .option('--config <file>', 'JSON config file')
    .option('--tick-ms <ms>', 'Raft tick')
    .option('--election-timeout-ticks <n>', 'election timeout in ticks')
    .option('--heartbeat-interval-ticks <n>', 'heartbeat interval in ticks')
    .option('--message-bytes-max <bytes>', 'largest gRPC message')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .option('--connections-max <n>', 'TCP connections served at once (clients and peers)')
    .option('--calls-per-connection-max <n>', 'calls in flight on one connection')
    .option('--client-streams-max <n>', 'produce/fetch streams open at once on the node')
    .option('--client-streams-per-connection-max <n>', 'produce/fetch streams open on one connection')
    .option('--auth <mode>', 'none (default) or required: authenticate clients and check ACLs')
    .option('--superusers <list>', 'principals allowed everything: User:admin,...')
    .option('--auth-token-ttl-ms <ms>', 'session token lifetime (default 1 hour)')
    .option(
      '--bootstrap-admin-user <name>',
      'user created at start from env RAFTLOG_BOOTSTRAP_ADMIN_PASSWORD (default admin)',
    )
    .action((flags: StartFlags) => ctx.deps.runNode(startFlagsToSettings(flags)));

  const cluster = program.command('cluster').description('a local multi-process cluster');
  cluster
    .command('up')
    .description('start N local nodes and run until Ctrl-C')
    .option('--nodes <n>', 'number of nodes', positiveInt, 3)
    .option('--base-port <port>', 'port of node 1; node i listens on base+i-1', positiveInt, 9091)
    .option('--data <dir>', 'data root (one subdirectory per node)', './data')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--log-level <level>', 'node log level', 'info')
    .action((o: { nodes: number; basePort: number; data: string; host: string; logLevel: string }) => {
      hostPort(`${o.host}:${o.basePort}`);
      return ctx.deps.runLocalCluster({
        nodes: o.nodes,
        basePort: o.basePort,
        dataDir: o.data,
        host: o.host,
        logLevel: o.logLevel,
      });
    });
}
