import type { Server, ServerInterceptor } from '@grpc/grpc-js';
import type { ClusterNode } from '../../cluster/node/index.js';
import type { PeerTransport } from '../../cluster/transport/index.js';
import {
  createServer,
  implementService,
  ResponseBudgets,
  shutdown,
  type HealthStatusBoard,
  type NodeResponseBudget,
  type StallPolicy,
} from '../../rpc/index.js';
import { Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import type { Logger } from '../obs/index.js';
import { listenBounded, type BoundedListener } from './bounded-listen.js';
import type { NodeConfig } from './node-config.js';
import type { NodeTls } from './node-tls.js';
import type { AuthGuard } from './auth/index.js';
import type { Observability } from './observability.js';
import { requireNodeCertificate } from './peer-authentication.js';
import { addReflection } from './reflection.js';
import { registerClientServices, writeTxnMarkersHandler } from './services/index.js';

export interface ListenerDeps {
  readonly health: HealthStatusBoard;
  readonly logger: Logger;
  readonly tls: NodeTls;
  readonly obs: Observability;
  /** Checks every Broker and Admin call on both listeners when auth is required. */
  readonly guard: AuthGuard;
  /**
   * Response bytes each listener's connections hold together (config.responseBytesPerNodeMax each).
   * Apart, so clients that fill theirs never hold back a follower's gap fill; the peer listener has
   * one at all because its port is open to anyone where TLS is off.
   */
  readonly responseBudgets: { readonly client: NodeResponseBudget; readonly peer: NodeResponseBudget };
}

export interface NodeListeners {
  readonly health: HealthStatusBoard;
  readonly port: number;
  readonly peerPort: number;
  /** Stops accepting, drains the calls in flight for up to graceMs, then drops what is left. */
  close(graceMs: number): Promise<void>;
}

/**
 * Two gRPC servers: the client listener (Broker, Admin, health) and the peer listener (PeerService,
 * plus the Broker and Admin calls nodes make to each other: gap fills, controller status, identity
 * probes). PeerService is never registered on the client listener, so a client calling it there gets
 * UNIMPLEMENTED; the peer listener is for nodes only (a NetworkPolicy, and mTLS in production: with
 * TLS on, every call there needs a node certificate).
 */
export async function startListeners(
  config: NodeConfig,
  node: ClusterNode<PeerTransport>,
  { health, logger, tls, obs, guard, responseBudgets }: ListenerDeps,
): Promise<NodeListeners> {
  const onInternalError = (error: unknown, path: string): void =>
    logger.error({ err: error, path }, 'a call failed with an unexpected error');
  // A call's id in the log lines written deep inside it and in its onward calls costs several percent
  // of a busy node's CPU on Node 20 (ImplementOptions.requestScopes); the lines that want it are debug.
  const requestScopes = logger.isLevelEnabled('debug');
  // Set once each listens; a stall can only be seen on a connection a listener accepted.
  const open: { client?: BoundedListener; peer?: BoundedListener } = {};
  const stall = (listener: 'client' | 'peer'): StallPolicy | undefined =>
    config.responseStallMsMax === 0
      ? undefined
      : {
          msMax: config.responseStallMsMax,
          close: (connection) => {
            const closed = open[listener]?.closeConnection(connection) ?? false;
            if (closed) logger.warn({ listener, connection }, stalledMessage(config.responseStallMsMax));
            return closed;
          },
        };
  const client = serverFor(config, responseBudgets.client, stall('client'));
  const peer = serverFor(config, responseBudgets.peer, stall('peer'), tls.on ? [requireNodeCertificate] : []);
  const services = {
    auth: guard,
    logger,
    requestScopes,
    limits: clientLimits(config),
    ...(obs.meter === undefined ? {} : { meter: obs.meter }),
    ...(obs.metricsUrl === undefined ? {} : { metricsUrl: obs.metricsUrl }),
  };
  for (const server of [client, peer])
    implementService(server, Health, health.impl(), { onInternalError, requestScopes });
  // The client listener's services also feed the console; the peer listener's share the meter.
  obs.useServices(registerClientServices(client, node, services));
  registerClientServices(peer, node, services);
  addReflection(client);
  implementService(peer, PeerService, peerHandlers(node, tls.on), { onInternalError, requestScopes });
  const onAcceptError = (error: Error): void => logger.warn({ err: error }, 'accepting a connection failed');
  const { listen, peerListen, connectionsMax, connectionsPerAddressMax } = config;
  const clientListener = await listenBounded(
    client,
    listen,
    { connectionsMax, connectionsPerAddressMax },
    onAcceptError,
    tls.client,
  );
  // No share per address here: nodes are the peer listener's only clients (NodeConfig).
  const peerListener = await listenBounded(
    peer,
    peerListen,
    { connectionsMax },
    onAcceptError,
    tls.peer,
  ).catch(async (error: unknown) => {
    await closeOne(client, clientListener, 0);
    throw error;
  });
  open.client = clientListener;
  open.peer = peerListener;
  return {
    health,
    port: clientListener.port,
    peerPort: peerListener.port,
    close: async (graceMs) => {
      await Promise.all([closeOne(client, clientListener, graceMs), closeOne(peer, peerListener, graceMs)]);
    },
  };
}

/**
 * A connection without a call for this long is sent GOAWAY and closed (gRPC clients reconnect when
 * they next call), so connections opened and left idle cannot hold connectionsMax for ever; Kafka's
 * connections.max.idle.ms is 10 minutes.
 */
const idleConnectionMsMax = 5 * 60_000;

const stalledMessage = (ms: number): string =>
  `closed a connection whose answer had not gone out for ${ms / 1000} s while other calls waited for the listener's response budget (a client that asks and does not read)`;

function serverFor(
  config: NodeConfig,
  node: NodeResponseBudget,
  stall: StallPolicy | undefined,
  interceptors: ServerInterceptor[] = [],
): Server {
  return createServer({
    receiveMessageBytesMax: config.messageBytesMax,
    sendMessageBytesMax: config.messageBytesMax,
    channelOptions: {
      'grpc.max_concurrent_streams': config.callsPerConnectionMax,
      'grpc.max_connection_idle_ms': idleConnectionMsMax,
    },
    interceptors,
    responseBudgets: new ResponseBudgets(config.responseBytesPerConnectionMax, {
      node,
      ...(stall === undefined ? {} : { stall }),
    }),
  });
}

function clientLimits(config: NodeConfig) {
  return {
    clientStreamsMax: config.clientStreamsMax,
    clientStreamsPerConnectionMax: config.clientStreamsPerConnectionMax,
  };
}

function peerHandlers(node: ClusterNode<PeerTransport>, requireNodeCertificate: boolean) {
  const proposeControllerCommand = (req: { entry: Uint8Array }) =>
    node.answerForwardedControllerCommand(req.entry);
  return {
    ...node.transport.serviceHandlers(requireNodeCertificate),
    proposeControllerCommand,
    writeTxnMarkers: writeTxnMarkersHandler(node),
  };
}

async function closeOne(server: Server, listener: BoundedListener, graceMs: number): Promise<void> {
  listener.stopAccepting();
  await shutdown(server, graceMs);
  await listener.close();
}
