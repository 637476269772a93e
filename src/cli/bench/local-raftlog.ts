import { LocalCluster } from '../../local/index.js';
import { freePort } from './peers/free-port.js';

/**
 * A 3-node raftlog cluster of this bench's own, like `npm start` but on free ports and in `dataDir`,
 * so a side-by-side run needs nothing running beforehand.
 */
export async function startLocalRaftlog(
  dataDir: string,
): Promise<{ cluster: LocalCluster; bootstrap: string }> {
  const basePort = await freePort();
  const cluster = new LocalCluster({ nodes: 3, basePort, dataDir, host: '127.0.0.1', logLevel: 'warn' });
  try {
    await cluster.waitReady();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  const bootstrap = [0, 1, 2].map((i) => `127.0.0.1:${basePort + i}`).join(',');
  return { cluster, bootstrap };
}
