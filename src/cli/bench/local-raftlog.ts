import { join } from 'node:path';
import { LocalCluster } from '../../local/index.js';
import { freeBasePort } from './peers/free-port.js';

const nodes = 3;
/** What src/local binds per node i: client port, peer port (+1000), metrics (+100) and console (+200). */
const layoutOffsets = [0, 1000, 100, 200].flatMap((o) => Array.from({ length: nodes }, (_, i) => o + i));

/** Another process may take a port between the check and the bind: start again elsewhere. */
const attemptsMax = 3;

/**
 * A 3-node raftlog cluster of this bench's own, like `npm start` but on free ports and in `dataDir`,
 * so a side-by-side run needs nothing running beforehand.
 */
export async function startLocalRaftlog(
  dataDir: string,
  onSpawned: (cluster: LocalCluster) => void,
): Promise<{ cluster: LocalCluster; bootstrap: string }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(join(dataDir, `attempt-${attempt}`), onSpawned);
    } catch (error) {
      if (attempt >= attemptsMax) throw error;
    }
  }
}

/** `onSpawned` learns of the processes before they are ready, so an interrupt can stop them too. */
async function startOnce(
  dataDir: string,
  onSpawned: (cluster: LocalCluster) => void,
): Promise<{ cluster: LocalCluster; bootstrap: string }> {
  const basePort = await freeBasePort(layoutOffsets);
  const cluster = new LocalCluster({ nodes, basePort, dataDir, host: '127.0.0.1', logLevel: 'warn' });
  onSpawned(cluster);
  try {
    await cluster.waitReady();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const bootstrap = Array.from({ length: nodes }, (_, i) => `127.0.0.1:${basePort + i}`).join(',');
  return { cluster, bootstrap };
}
