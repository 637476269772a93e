import { afterEach, describe, expect, it } from 'vitest';
import { AssertionError, ManualClock, RaftlogError, type GroupId, type NodeId } from '../../lib/index.js';
import { PartitionStore } from '../../storage/index.js';
import { controllerGroupIdValue } from '../controller/index.js';
import {
  eventually,
  silent,
  startHostNode,
  stopTracked,
  tempDir,
  track,
  type HostNode,
} from '../host/host-test-harness.js';
import { freePort } from '../transport/test-harness.js';
import { ControllerReplica } from './controller-replica.js';
import { NodeDuties } from './node-duties.js';
import type { LocalPartition } from './partition-ops.js';

afterEach(stopTracked);

/** A node leading a real controller group (RocksDB, gRPC), whose controller commands fail with `error`. */
async function dutiesFailingWith(error: Error): Promise<{ node: HostNode; duties: NodeDuties }> {
  const port = await freePort();
  const addresses = new Map([[1 as NodeId, `127.0.0.1:${port}`]]);
  const groupId = controllerGroupIdValue as GroupId;
  const node = track(await startHostNode(1, await tempDir(), port, addresses, { groupId }));
  node.host.campaign(groupId);
  await eventually(() => node.group.isLeader(), 10_000, 'node 1 leads');
  const duties = new NodeDuties({
    nodeId: node.id,
    advertise: '127.0.0.1:1',
    peerAdvertise: '127.0.0.1:1001',
    host: node.host,
    controller: new ControllerReplica(),
    partitions: new Map<number, LocalPartition>(),
    store: new PartitionStore(node.kv),
    connectedPeers: () => new Set(),
    proposeController: () => Promise.reject(error),
    clock: new ManualClock(),
    logger: silent,
  });
  return { node, duties };
}

describe('node duties', () => {
  it('defer a duty that failed for a passing reason to the next round', async () => {
    const { node, duties } = await dutiesFailingWith(new RaftlogError('TIMEOUT', 'no controller yet'));
    await duties.run();
    expect(node.fatal).toEqual([]);
  });

  it('stop the node when a duty hits an assertion failure', async () => {
    const bug = new AssertionError('an impossible state');
    const { node, duties } = await dutiesFailingWith(bug);
    await duties.run();
    expect(node.fatal).toEqual([bug]);
  });
});
