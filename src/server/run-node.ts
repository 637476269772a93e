import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { AssertionError, CorruptionError, type NodeId } from '../../lib/index.js';
import { ClusterNode } from '../../cluster/node/index.js';
import {
  createServer,
  HealthStatusBoard,
  implementService,
  setHostAliases,
  shutdown,
} from '../../cluster/rpc/index.js';
import { Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { RocksKvStore } from '../../storage/index.js';
import { createLogger, type Logger } from '../obs/index.js';
import { listenBounded } from './bounded-listen.js';
import { applyClockOffsetFromEnv } from './clock-offset.js';
import { AuthGuard, startAuthBootstrap } from './auth/index.js';
import { loadNodeConfig, type NodeConfig, type RawSettings } from './node-config.js';
import { registerClientServices, writeTxnMarkersHandler } from './services/index.js';
import { systemClock } from './system-clock.js';
import {
  IdentityMismatchError,
  identityMismatchExitCode,
  resolveNodeIdentity,
} from './node-identity-check.js';

const shutdownGraceMs = 5_000;

/** Runs one node until SIGINT or SIGTERM, from flags merged with RAFTLOG_* env and a config file. */
export async function runNode(flags: RawSettings): Promise<void> {
  const clockOffsetMs = applyClockOffsetFromEnv();
  const config = loadNodeConfig(flags);
  setHostAliases(config.hostAliases);
  const logger = createLogger({ level: config.logLevel, base: { node: config.id } });
  if (clockOffsetMs !== 0) logger.warn({ clockOffsetMs }, 'wall clock offset injected');
  const running = await startNode(config, logger).catch((error: unknown) => {
    if (!(error instanceof IdentityMismatchError)) throw error;
    logger.fatal({ err: error }, 'refusing to start');
    process.stderr.write(`raftlog: refusing to start: ${error.message}\n`);
    process.exit(identityMismatchExitCode);
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await running.stop();
  logger.info('stopped');
}

/** Exit codes of a node that stopped itself: storage failed (EX_SOFTWARE), or an assertion failed. */
export const exitCodeStorageFailed = 70;
export const exitCodeInvariantBroken = 71;

export function fatalExitCode(error: unknown): number {
  return error instanceof AssertionError ? exitCodeInvariantBroken : exitCodeStorageFailed;
}

export interface RunningNode {
  readonly node: ClusterNode;
  stop(): Promise<void>;
}

/** Opens storage, serves every gRPC service on one port and starts the node's Raft groups. */
export async function startNode(config: NodeConfig, logger: Logger): Promise<RunningNode> {
  mkdirSync(config.dataDir, { recursive: true });
  const kv = await RocksKvStore.open(join(config.dataDir, 'db'));
  const identity = await resolveNodeIdentity(kv, config, logger).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  const peers = new Map<NodeId, string>(
    config.peers.size > 0
      ? ([...config.peers] as [NodeId, string][])
      : [[config.id as NodeId, config.listen]],
  );
  // Bound once the node exists: the guard reads the node's controller state.
  const auth: { guard?: AuthGuard } = {};
  const node = new ClusterNode({
    nodeId: config.id as NodeId,
    clusterId: identity.clusterId,
    catchUpBeforeVoting: identity.rejoining,
    gapFillBytesMax: config.gapFillBytesMax,
    advertise: config.advertise,
    peers,
    tickMs: config.tickMs,
    electionTimeoutTicks: config.electionTimeoutTicks,
    heartbeatIntervalTicks: config.heartbeatIntervalTicks,
    messageBytesMax: config.messageBytesMax,
    host: {
      snapshotEntriesMin: config.snapshotEntriesMin,
      compactionTrailEntries: config.compactionTrailEntries,
    },
    partitionLimits: {
      producerIdleMsMax: config.producerIdleMsMax,
      producerStateBytesMax: config.producerStateBytesMax,
    },
    kv,
    logger,
    clock: systemClock,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    // With auth off the node's own calls go out exactly as before, with no interceptor.
    ...(config.auth.mode === 'required' ? { clientCallHeaders: () => auth.guard?.nodeHeaders() ?? {} } : {}),
    onFatal: (error) => {
      const code = fatalExitCode(error);
      logger.fatal(
        { err: error, exitCode: code },
        error instanceof AssertionError
          ? 'an invariant broke; exiting so a restart recovers from disk'
          : error instanceof CorruptionError
            ? 'stored data is damaged; exiting. Move the data directory aside and start the node empty: it rebuilds from its replicas'
            : 'storage failed; exiting so a restart recovers from disk',
      );
      process.exit(code);
    },
  });
  const server = createServer({
    receiveMessageBytesMax: config.messageBytesMax,
    sendMessageBytesMax: config.messageBytesMax,
    channelOptions: { 'grpc.max_concurrent_streams': config.callsPerConnectionMax },
  });
  const health = new HealthStatusBoard();
  const onInternalError = (error: unknown, path: string): void =>
    logger.error({ err: error, path }, 'a call failed with an unexpected error');
  const proposeControllerCommand = async (req: { entry: Uint8Array }) => {
    const { index, output } = await node.proposeControllerEntry(req.entry);
    return { index: BigInt(index), outputJson: JSON.stringify(output) };
  };
  implementService(
    server,
    PeerService,
    {
      ...node.transport.serviceHandlers(),
      proposeControllerCommand,
      writeTxnMarkers: writeTxnMarkersHandler(node),
    },
    { onInternalError },
  );
  implementService(server, Health, health.impl(), { onInternalError });
  const guard = new AuthGuard(node.security, config.auth, config.id, Date.now);
  auth.guard = guard;
  registerClientServices(server, node, {
    auth: guard,
    logger,
    limits: {
      clientStreamsMax: config.clientStreamsMax,
      clientStreamsPerConnectionMax: config.clientStreamsPerConnectionMax,
    },
  });
  const listener = await listenBounded(server, config.listen, config.connectionsMax, (error) =>
    logger.warn({ err: error }, 'accepting a connection failed'),
  );
  const port = listener.port;
  await node.start();
  const bootstrap =
    config.auth.mode === 'required'
      ? startAuthBootstrap(node.security, config.auth.bootstrapAdmin, logger)
      : undefined;
  logger.info(
    {
      listen: config.listen,
      port,
      advertise: config.advertise,
      peers: Object.fromEntries(peers),
      clusterId: identity.clusterId,
      auth: config.auth.mode,
    },
    'node started',
  );
  return {
    node,
    stop: async () => {
      bootstrap?.stop();
      health.setAllNotServing();
      // Hand leadership over while still serving: closing the port first would leave this node
      // leading partitions nobody can reach until the drain ends and an election follows.
      await node.handOffLeadership();
      listener.stopAccepting();
      await shutdown(server, shutdownGraceMs);
      await listener.close();
      await node.stop();
      await kv.close();
    },
  };
}
