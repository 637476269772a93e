import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeId } from '../../lib/index.js';
import { ClusterNode } from '../../cluster/node/index.js';
import {
  createServer,
  HealthStatusBoard,
  implementService,
  listen,
  shutdown,
} from '../../cluster/rpc/index.js';
import { Health } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { RocksKvStore } from '../../storage/index.js';
import { createLogger, type Logger } from '../obs/index.js';
import { loadNodeConfig, type NodeConfig, type RawSettings } from './node-config.js';
import { registerClientServices } from './services/index.js';

const clusterIdDefault = 'raftlog';
const shutdownGraceMs = 5_000;

/** Runs one node until SIGINT or SIGTERM, from flags merged with RAFTLOG_* env and a config file. */
export async function runNode(flags: RawSettings): Promise<void> {
  const config = loadNodeConfig(flags);
  const logger = createLogger({ level: config.logLevel, base: { node: config.id } });
  const running = await startNode(config, logger);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  await running.stop();
  logger.info('stopped');
}

export interface RunningNode {
  readonly node: ClusterNode;
  stop(): Promise<void>;
}

/** Opens storage, serves every gRPC service on one port and starts the node's Raft groups. */
export async function startNode(config: NodeConfig, logger: Logger): Promise<RunningNode> {
  mkdirSync(config.dataDir, { recursive: true });
  const kv = await RocksKvStore.open(join(config.dataDir, 'db'));
  const peers = new Map<NodeId, string>(
    config.peers.size > 0
      ? ([...config.peers] as [NodeId, string][])
      : [[config.id as NodeId, config.listen]],
  );
  const node = new ClusterNode({
    nodeId: config.id as NodeId,
    clusterId: clusterIdDefault,
    advertise: config.advertise,
    peers,
    tickMs: config.tickMs,
    electionTimeoutTicks: config.electionTimeoutTicks,
    heartbeatIntervalTicks: config.heartbeatIntervalTicks,
    host: {
      snapshotEntriesMin: config.snapshotEntriesMin,
      compactionTrailEntries: config.compactionTrailEntries,
    },
    kv,
    logger,
    onFatal: (error) => {
      logger.fatal({ err: error }, 'storage failed; exiting so a restart recovers from disk');
      process.exit(70);
    },
  });
  const server = createServer({
    receiveMessageBytesMax: config.messageBytesMax,
    sendMessageBytesMax: config.messageBytesMax,
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
    { ...node.transport.serviceHandlers(), proposeControllerCommand },
    { onInternalError },
  );
  implementService(server, Health, health.impl(), { onInternalError });
  registerClientServices(server, node, { logger });
  const port = await listen(server, config.listen);
  await node.start();
  logger.info(
    { listen: config.listen, port, advertise: config.advertise, peers: Object.fromEntries(peers) },
    'node started',
  );
  return {
    node,
    stop: async () => {
      health.setAllNotServing();
      // Hand leadership over while still serving: closing the port first would leave this node
      // leading partitions nobody can reach until the drain ends and an election follows.
      await node.handOffLeadership();
      await shutdown(server, shutdownGraceMs);
      await node.stop();
      await kv.close();
    },
  };
}
