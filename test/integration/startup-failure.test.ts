import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { raftHardStateKey } from '../../storage/keys.js';
import { decodeHardState, encodeHardState } from '../../storage/raft-log-codec.js';
import { KvWriteBatch, RocksKvStore } from '../../storage/index.js';
import { sleep, startCluster, until } from './harness/index.js';
import { tailFile } from './harness/logs.js';

const controllerGroup = 0;
const exitCodeStorageFailed = 70;

describe('a node whose groups fail to load once its listeners are up', () => {
  // Damage found while the node starts its groups comes after its ports are open. A process that only
  // reported it and kept those ports would look alive to a supervisor and to its peers while serving
  // nothing, and nothing would ever restart or rebuild it.
  it('exits with the storage exit code instead of staying up without its groups', async () => {
    const cluster = await startCluster({ nodes: 1 });
    const node = cluster.nodes[0]!;
    for (let attempt = 0; ; attempt++) {
      try {
        await cluster.admin(node.address).createTopic({ name: 'start', partitions: 1, replicationFactor: 1 });
        break;
      } catch (error) {
        if (attempt > 50) throw error;
        await sleep(200);
      }
    }
    await cluster.waitForLeader('start', 0);
    await node.stop();

    // A controller hard state that commits past the end of its log: loading the group refuses it as
    // committed entries lost, which only happens once the node starts its groups.
    const kv = await RocksKvStore.open(join(node.dataDir, 'db'));
    const key = raftHardStateKey(controllerGroup);
    const hardState = decodeHardState((await kv.get(key))!);
    const damaged = { ...hardState, commit: (hardState.commit + 1_000_000) as typeof hardState.commit };
    await kv.write(new KvWriteBatch().put(key, encodeHardState(damaged)), { sync: true });
    await kv.close();

    // Whether it answered a health check first or not, the process must end, and say why.
    await node.start().catch(() => undefined);
    await until(`node ${node.id} exits`, () => !node.running, 15_000).catch(() => undefined);
    const log = tailFile(node.logFile, 40);
    expect(node.running, `node ${node.id} still running:\n${log}`).toBe(false);
    expect(node.lastExit?.code).toBe(exitCodeStorageFailed);
    expect(log).toMatch(/committed entries were lost/);
  }, 120_000);
});
