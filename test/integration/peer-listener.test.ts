import { describe, expect, it, onTestFinished } from 'vitest';
import { createClient } from '../../cluster/rpc/index.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { PartitionWriter, startCluster, verifyPartition } from './harness/index.js';

const topic = 'peer-listener';

describe('the peer listener, 3 nodes', () => {
  it('serves PeerService on the peer port only: on the client port it is UNIMPLEMENTED', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const { clusterId } = await cluster.clusterStatus();
    const node = cluster.node(1);
    const hello = { nodeId: 2, expectedNodeId: 1, clusterId, protocolVersion: 1, address: '' };

    const viaClientPort = createClient(PeerService, node.address);
    const viaPeerPort = createClient(PeerService, node.peerAddress);
    onTestFinished(() => {
      viaClientPort.close();
      viaPeerPort.close();
    });
    await expect(viaClientPort.hello(hello, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'UNIMPLEMENTED',
    });
    await expect(
      viaClientPort.proposeControllerCommand({ entry: new Uint8Array(8) }, { timeoutMs: 5_000 }),
    ).rejects.toMatchObject({ code: 'UNIMPLEMENTED' });
    expect(await viaPeerPort.hello(hello, { timeoutMs: 5_000 })).toMatchObject({ nodeId: 1, clusterId });

    // The nodes replicate over their peer ports.
    await cluster.createTopic(topic, 1, 3);
    const writer = new PartitionWriter(cluster, topic, 0, { batchRecords: 20 });
    await writer.write(200);
    const read = await cluster.readPartition(topic, 0, { timeoutMs: 30_000 });
    expect(verifyPartition(writer.ledger, read).acked).toBe(200);
  }, 90_000);
});
