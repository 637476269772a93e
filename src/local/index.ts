import { LocalCluster, type LocalClusterOptions } from './local-cluster.js';

export type { LocalClusterOptions } from './local-cluster.js';
export { LocalCluster, httpPortOffset } from './local-cluster.js';
export {
  spawnNode,
  stopNode,
  startArgs,
  describeExit,
  type NodeSpec,
  type NodeExit,
  type SpawnedNode,
} from './spawn-node.js';
export { nodeAllocatorEnv, nodeProcessEnv } from './allocator-env.js';
export { waitHealthy } from './wait-healthy.js';
export { waitAllAlive } from './wait-all-alive.js';
export { abortableSleep } from './poll-until.js';
export { localBootstrapDefault } from './default-bootstrap.js';
export { peersArg, peerAddressOf, clusterLayout, type NodeAddress } from './peers.js';
export { currentLauncher, type Launcher } from './launcher.js';
export {
  readClusterFile,
  clusterFilePath,
  isAlive,
  type ClusterFile,
  type ClusterFileNode,
} from './cluster-file.js';
export { restartLocalNode, type RestartedNode } from './restart-node.js';

/** Starts one node process per node and runs until Ctrl-C, then stops them all. */
export async function runLocalCluster(options: LocalClusterOptions): Promise<void> {
  const cluster = new LocalCluster(options);
  console.log(cluster.describe());
  console.log('waiting for every node to answer its health check...');
  const stopped = stopOnSignals(cluster);
  const startedAt = Date.now();
  try {
    await Promise.race([cluster.waitReady(), cluster.allGone, stopped.requested]);
  } catch (error) {
    await cluster.stop();
    stopped.dispose();
    throw error;
  }
  if (!stopped.wasRequested()) {
    console.log(`cluster ready (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    console.log(cluster.usage());
  }
  // `raftlog cluster restart-node` asks with SIGUSR2 (SIGUSR1 would start Node's inspector).
  const restart = (): void => void cluster.restartExited();
  process.on('SIGUSR2', restart);
  try {
    await waitUntilStopped(cluster, stopped);
  } finally {
    process.off('SIGUSR2', restart);
  }
}

async function waitUntilStopped(cluster: LocalCluster, stopped: SignalWatch): Promise<void> {
  try {
    await Promise.race([stopped.requested, cluster.allGone]);
    console.log('stopping every node...');
  } finally {
    await cluster.stop();
    stopped.dispose();
  }
  console.log('all nodes stopped');
}

interface SignalWatch {
  readonly requested: Promise<void>;
  wasRequested(): boolean;
  dispose(): void;
}

/** The first SIGINT or SIGTERM asks for a graceful stop; a second one kills the nodes at once. */
function stopOnSignals(cluster: LocalCluster): SignalWatch {
  let count = 0;
  let request = (): void => {};
  const requested = new Promise<void>((resolve) => (request = resolve));
  const onSignal = (): void => {
    count += 1;
    if (count === 1) request();
    else cluster.killNow();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    requested,
    wasRequested: () => count > 0,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
