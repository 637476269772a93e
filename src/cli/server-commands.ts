import type { Command } from 'commander';
import type { RawSettings } from '../server/node-config.js';
import type { CliContext } from './cli-context.js';
import { globals } from './global-options.js';
import { hostPort, positiveInt } from './option-parsers.js';
import { tlsFiles } from './tls-options.js';

interface StartFlags {
  id?: string;
  idFromPodName?: string;
  hostAliases?: string;
  listen?: string;
  peerListen?: string;
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
  connectionsPerAddressMax?: string;
  callsPerConnectionMax?: string;
  responseBytesPerConnectionMax?: string;
  responseBytesPerNodeMax?: string;
  responseStallMsMax?: string;
  clientStreamsMax?: string;
  clientStreamsPerConnectionMax?: string;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  tlsCa?: string | undefined;
  tlsClientAuth?: string;
  peerTlsCert?: string;
  peerTlsKey?: string;
  peerTlsCa?: string;
  metricsListen?: string;
  consoleListen?: string;
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
    peerListen: flags.peerListen,
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
    connectionsPerAddressMax: flags.connectionsPerAddressMax,
    callsPerConnectionMax: flags.callsPerConnectionMax,
    responseBytesPerConnectionMax: flags.responseBytesPerConnectionMax,
    responseBytesPerNodeMax: flags.responseBytesPerNodeMax,
    responseStallMsMax: flags.responseStallMsMax,
    clientStreamsMax: flags.clientStreamsMax,
    clientStreamsPerConnectionMax: flags.clientStreamsPerConnectionMax,
    tlsCert: flags.tlsCert,
    tlsKey: flags.tlsKey,
    tlsCa: flags.tlsCa,
    tlsClientAuth: flags.tlsClientAuth,
    peerTlsCert: flags.peerTlsCert,
    peerTlsKey: flags.peerTlsKey,
    peerTlsCa: flags.peerTlsCa,
    metricsListen: flags.metricsListen,
    consoleListen: flags.consoleListen,
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
    .option('--peer-listen <host:port>', 'peer listener, for nodes only (default: --listen port + 1000)')
    .option('--advertise <host:port>', 'address clients are told to use (default: --listen)')
    .option('--peers <list>', "initial voters' peer addresses: 1=HOST:PORT,2=HOST:PORT,...")
    .option('--data <dir>', 'data directory')
    .option('--config <file>', 'JSON config file')
    .option('--tick-ms <ms>', 'Raft tick')
    .option('--election-timeout-ticks <n>', 'election timeout in ticks')
    .option('--heartbeat-interval-ticks <n>', 'heartbeat interval in ticks')
    .option('--message-bytes-max <bytes>', 'largest gRPC message')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent')
    .option('--connections-max <n>', 'TCP connections served at once, per listener (client, peer)')
    .option(
      '--connections-per-address-max <n>',
      'of those, on the client listener from one remote address (default: no limit)',
    )
    .option('--calls-per-connection-max <n>', 'calls in flight on one connection')
    .option(
      '--response-bytes-per-connection-max <bytes>',
      'fetch and lease answers held for one connection before it waits',
    )
    .option(
      '--response-bytes-per-node-max <bytes>',
      'fetch and lease answers held for all connections of a listener together before they wait',
    )
    .option(
      '--response-stall-ms-max <ms>',
      'while calls wait for that room, close a connection whose answer has not gone out this long (0: never)',
    )
    .option('--client-streams-max <n>', 'produce/fetch streams open at once on the node')
    .option('--client-streams-per-connection-max <n>', 'produce/fetch streams open on one connection')
    // --tls-cert, --tls-key and --tls-ca are the program's own options (tls-options.ts): here the
    // client listener's certificate, key, and the CAs that verify client certificates.
    .option('--metrics-listen <host:port>', 'serve Prometheus metrics here (GET /metrics); off by default')
    .option('--console-listen <host:port>', 'serve the web console here; off by default')
    .option('--auth <mode>', 'none (default) or required: authenticate clients and check ACLs')
    .option('--superusers <list>', 'principals allowed everything: User:admin,...')
    .option('--auth-token-ttl-ms <ms>', 'session token lifetime (default 1 hour)')
    .option(
      '--bootstrap-admin-user <name>',
      'user created at start from env RAFTLOG_BOOTSTRAP_ADMIN_PASSWORD (default admin)',
    )
    .option('--tls-client-auth <mode>', 'client certificates: none|request|require (default none)')
    .option('--peer-tls-cert <file>', 'peer listener certificate (default: --tls-cert)')
    .option('--peer-tls-key <file>', 'peer listener key (default: --tls-key)')
    .option('--peer-tls-ca <file>', "CAs of the other nodes' certificates (default: --tls-ca)")
    .action((flags: StartFlags, command: Command) =>
      ctx.deps.runNode(startFlagsToSettings({ ...flags, ...serverTlsFiles(command) })),
    );

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
  registerRestartNode(cluster, ctx);
}

function registerRestartNode(cluster: Command, ctx: CliContext): void {
  cluster
    .command('restart-node')
    .argument('<id>', 'node id', positiveInt)
    .description(
      'stop node <id> of the running `cluster up` if it still runs, and have `cluster up` start it again',
    )
    .option('--data <dir>', 'data root the cluster runs on', './data')
    .action(async (id: number, o: { data: string }, cmd: Command) => {
      const restarted = await ctx.deps.restartLocalNode(o.data, id);
      const { id: node, address, pid } = restarted;
      ctx.io.out(
        globals(cmd).json
          ? JSON.stringify(restarted)
          : `node ${node} restarted: pid ${pid}, serving at ${address}`,
      );
    });
}

/** The program's --tls-* options, as the node's TLS settings; absent ones are left to env and file. */
function serverTlsFiles(command: Command): Pick<StartFlags, 'tlsCert' | 'tlsKey' | 'tlsCa'> {
  const files = tlsFiles(command);
  return { tlsCert: files.cert, tlsKey: files.key, tlsCa: files.ca };
}
