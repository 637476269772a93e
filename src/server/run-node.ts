import { runsOnGlibc, warnOnAllocatorSettings } from './allocator-check.js';
import { startNodeMemoryTrim } from './memory-trim.js';
import { loadNativeHeap } from './native-heap.js';
import { useNativeCrc32c } from '../client/index.js';
import { setNodeHeapGrowth } from './heap-growth.js';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AssertionError,
  CorruptionError,
  NewerFormatError,
  VersionBehindError,
  type NodeId,
} from '../../lib/index.js';
import { ClusterNode } from '../../cluster/node/index.js';
import {
  HealthStatusBoard,
  NodeResponseBudget,
  requestLogFields,
  setDefaultChannelCredentials,
  setHostAliases,
} from '../../rpc/index.js';
import { EntryFiles, FsSegmentFiles, RocksKvStore } from '../../storage/index.js';
import type { PeerTransport } from '../../cluster/transport/index.js';
import { createLogger, type Logger } from '../obs/index.js';
import { applyClockOffsetFromEnv } from './clock-offset.js';
import { answerAsAwaiting } from './awaiting-identity-listener.js';
import { AuthGuard, startAuthBootstrap } from './auth/index.js';
import { loadNodeConfig, type NodeConfig, type RawSettings } from './node-config.js';
import { startListeners } from './node-listeners.js';
import { loadNodeTls } from './node-tls.js';
import { peerAdvertiseAddress } from './peer-address.js';
import { systemClock } from './system-clock.js';
import { grpcPeerCalls, grpcPeerTransport, randomSeeds } from './node-ports.js';
import { startObservability } from './observability.js';
import { watchControllerQuorum } from './readiness-health.js';
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
  const logger = createLogger({
    level: config.logLevel,
    base: { node: config.id },
    context: requestLogFields,
  });
  if (clockOffsetMs !== 0) logger.warn({ clockOffsetMs }, 'wall clock offset injected');
  const glibc = runsOnGlibc();
  warnOnAllocatorSettings(logger, glibc);
  const memoryTrim = await startNodeMemoryTrim(config.memoryTrimIntervalMs, glibc, logger);
  setNodeHeapGrowth();
  if (!useNativeCrc32c()) logger.warn('native CRC32C unavailable here: checksums use the slower table code');
  const running = await startNode(config, logger).catch((error: unknown) => {
    if (!(error instanceof IdentityMismatchError || error instanceof VersionBehindError)) throw error;
    logger.fatal({ err: error }, 'refusing to start');
    process.stderr.write(`raftlog: refusing to start: ${error.message}\n`);
    process.exit(error instanceof VersionBehindError ? exitCodeVersionBehind : identityMismatchExitCode);
  });
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  logger.info('stopping');
  // The node's timers do not hold the process open (wireClock unrefs them). Once the listeners are
  // closed, a wait inside the stop (a hand-off that times out because the peers are gone) would be
  // all that is left: the process would end half stopped, with exit code 13 and storage not closed.
  const keepAlive = setInterval(() => undefined, 1_000);
  try {
    await running.stop();
  } finally {
    clearInterval(keepAlive);
    memoryTrim?.cancel();
  }
  logger.info('stopped');
}

/**
 * Exit codes of a node that stopped itself: storage failed (EX_SOFTWARE), an assertion failed, it
 * met replicated data a later version wrote, or the cluster's active version is above what its build
 * reads (either way the node must be upgraded).
 */
export const exitCodeStorageFailed = 70;
export const exitCodeInvariantBroken = 71;
export const exitCodeNewerFormat = 72;
export const exitCodeVersionBehind = 73;

export function fatalExitCode(error: unknown): number {
  if (error instanceof VersionBehindError) return exitCodeVersionBehind;
  if (error instanceof NewerFormatError) return exitCodeNewerFormat;
  return error instanceof AssertionError ? exitCodeInvariantBroken : exitCodeStorageFailed;
}

/** Ends the process with the code that says why, so a supervisor restarts it or an operator rebuilds it. */
function exitOnFatal(logger: Logger, error: unknown): never {
  const code = fatalExitCode(error);
  logger.fatal({ err: error, exitCode: code }, fatalMessage(error));
  process.exit(code);
}

function fatalMessage(error: unknown): string {
  if (error instanceof VersionBehindError)
    return 'refusing to run: the cluster activated a version this build cannot read; upgrade this node';
  if (error instanceof AssertionError) return 'an invariant broke; exiting so a restart recovers from disk';
  if (error instanceof CorruptionError)
    return 'stored data is damaged; exiting. Move the data directory aside and start the node empty: it rebuilds from its replicas';
  return 'storage failed; exiting so a restart recovers from disk';
}

export interface RunningNode {
  readonly node: ClusterNode<PeerTransport>;
  stop(): Promise<void>;
}

/** Opens storage, serves the client and peer listeners and starts the node's Raft groups. */
export async function startNode(config: NodeConfig, logger: Logger): Promise<RunningNode> {
  const tls = loadNodeTls(config);
  // Every channel this process opens (peer links, forwarding, identity probes) speaks TLS with it.
  setDefaultChannelCredentials(tls.channel);
  mkdirSync(config.dataDir, { recursive: true });
  const kv = await RocksKvStore.open(join(config.dataDir, 'db'), {
    writeBufferSizeBytes: config.storageWriteBufferBytes,
  });
  const identity = await resolveNodeIdentity(kv, config, logger, {
    answerAsAwaiting: () => answerAsAwaiting(config, tls, logger),
  }).catch(async (error: unknown) => {
    await kv.close();
    throw error;
  });
  const segmentFiles = await FsSegmentFiles.open(join(config.dataDir, 'entries'), {
    directIo: config.entryDirectIo,
  });
  if (config.entryDirectIo && !segmentFiles.directIo)
    logger.warn('entry files: the file system refused O_DIRECT, so they are written through the page cache');
  const entryFiles = await EntryFiles.open(segmentFiles, {
    segmentBytesMax: config.entrySegmentBytes,
    inlineBytesMax: config.entryInlineBytesMax,
  });
  const closeStorage = async (): Promise<void> => {
    await entryFiles.close();
    await kv.close();
  };
  const peers = new Map<NodeId, string>(
    config.peers.size > 0
      ? ([...config.peers] as [NodeId, string][])
      : [[config.id as NodeId, config.peerListen]],
  );
  const health = new HealthStatusBoard();
  // Bound once the node exists: the guard reads the node's controller state.
  const auth: { guard?: AuthGuard } = {};
  const nodeId = config.id as NodeId;
  const peerAdvertise = peerAdvertiseAddress(config);
  const node = new ClusterNode({
    nodeId,
    clusterId: identity.clusterId,
    catchUpBeforeVoting: identity.rejoining,
    joinExisting: identity.joinController,
    // Decommissioned: unready for good, so the client Service stops sending it anything.
    onRemoved: () => health.setAllNotServing(),
    gapFillBytesMax: config.gapFillBytesMax,
    advertise: config.advertise,
    peerAdvertise,
    peers,
    tickMs: config.tickMs,
    electionTimeoutTicks: config.electionTimeoutTicks,
    heartbeatIntervalTicks: config.heartbeatIntervalTicks,
    transport: grpcPeerTransport({
      nodeId,
      clusterId: identity.clusterId,
      peerAdvertise,
      messageBytesMax: config.messageBytesMax,
      logger,
    }),
    // With auth off the node's own calls go out exactly as before, with no interceptor.
    peerCalls: grpcPeerCalls(
      config.auth.mode === 'required' ? () => auth.guard?.nodeHeaders() ?? {} : undefined,
    ),
    seeds: randomSeeds,
    host: {
      snapshotEntriesMin: config.snapshotEntriesMin,
      compactionTrailEntries: config.compactionTrailEntries,
    },
    partitionLimits: {
      producerIdleMsMax: config.producerIdleMsMax,
      producerStateBytesMax: config.producerStateBytesMax,
    },
    kv,
    entryFiles,
    logger,
    clock: systemClock,
    transactionalIdExpirationMs: config.transactionalIdExpirationMs,
    onFatal: (error) => exitOnFatal(logger, error),
  });
  watchControllerQuorum(health, node);
  const responseBudgets = {
    client: new NodeResponseBudget(config.responseBytesPerNodeMax, systemClock),
    peer: new NodeResponseBudget(config.responseBytesPerNodeMax, systemClock),
  };
  const obs = await startObservability(config, node, logger, {
    engineMemory: () => kv.memoryBytes(),
    nativeHeap: await loadNativeHeap(runsOnGlibc()),
    responseBytesHeld: () => ({
      client: responseBudgets.client.heldBytes,
      peer: responseBudgets.peer.heldBytes,
    }),
    stalledConnectionsClosed: () => ({
      client: responseBudgets.client.stalledConnectionsClosed,
      peer: responseBudgets.peer.stalledConnectionsClosed,
    }),
  });
  const guard = new AuthGuard(node.security, config.auth, config.id, Date.now);
  auth.guard = guard;
  const deps = { health, logger, tls, obs, guard, responseBudgets };
  const listeners = await startListeners(config, node, deps).catch(async (error: unknown) => {
    await obs.stop();
    await closeStorage();
    throw error;
  });
  // The listeners are open by now, and they alone keep the process alive: a start that only
  // rejected would leave it up with its ports open and no groups, healthy to a supervisor and
  // reachable by its peers while serving nothing, never restarted or rebuilt. Damage met here
  // (a group whose stored state fails to load) ends the process as it does when met later.
  await node.start().catch((error: unknown) => {
    // A build behind the cluster is refused, not failed: runNode says so and exits (73).
    if (error instanceof VersionBehindError) throw error;
    exitOnFatal(logger, error);
  });
  const bootstrap =
    config.auth.mode === 'required'
      ? startAuthBootstrap(node.security, config.auth.bootstrapAdmin, logger)
      : undefined;
  logger.info(
    {
      listen: config.listen,
      port: listeners.port,
      peerListen: config.peerListen,
      peerPort: listeners.peerPort,
      tls: tls.on,
      advertise: config.advertise,
      peers: Object.fromEntries(peers),
      clusterId: identity.clusterId,
      metricsUrl: obs.metricsUrl,
      auth: config.auth.mode,
    },
    'node started',
  );
  return {
    node,
    stop: async () => {
      bootstrap?.stop();
      listeners.health.setAllNotServing();
      // Hand leadership over while still serving: closing the port first would leave this node
      // leading partitions nobody can reach until the drain ends and an election follows.
      await node.handOffLeadership();
      await listeners.close(shutdownGraceMs);
      await obs.stop();
      await node.stop();
      await closeStorage();
    },
  };
}
