import { describe, expect, it } from 'vitest';
import { encodeRecordBatch } from '../../lib/index.js';
import { Acks } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { sleep, startCluster, waitInSync } from './harness/index.js';

const mib = 1024 * 1024;

/** Retries what fails retriably (no controller leader yet, nodes not registered yet). */
async function retrying<T>(call: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await call();
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

interface Producer {
  readonly producerId: bigint;
  readonly producerEpoch: number;
}

/**
 * One record whose value brings the encoded batch close to `bytes`. It carries a producer id and a
 * sequence: a retry after an answer of unknown outcome (leadership lost with the write in flight)
 * must be deduplicated, not written twice.
 */
function batchOf(bytes: number, producer: Producer): Uint8Array {
  const value = new Uint8Array(bytes - 200);
  for (let i = 0; i < value.length; i += 997) value[i] = i & 0xff;
  const batch = encodeRecordBatch({
    timestamp: Date.now(),
    producerId: Number(producer.producerId),
    producerEpoch: producer.producerEpoch,
    baseSequence: 0,
    records: [{ key: null, value }],
  });
  expect(batch.byteLength).toBeLessThanOrEqual(bytes);
  return batch;
}

describe('batches as large as a topic allows, 3 nodes', () => {
  it("replicates a batch of a topic's largest size (8 MiB) and of the default (1 MiB) to every replica", async () => {
    const cluster = await startCluster({ nodes: 3 });
    const topics = [
      ['large-default', mib],
      ['large-max', 8 * mib],
    ] as const;
    for (const [name, maxMessageBytes] of topics) {
      const request = { name, partitions: 1, replicationFactor: 3, config: { maxMessageBytes } };
      await retrying(() =>
        cluster.admin(cluster.nodes[0]!.address).createTopic(request, { timeoutMs: 10_000 }),
      );
    }
    for (const [name, maxMessageBytes] of topics) {
      const producer = await retrying(() => cluster.broker(cluster.nodes[0]!.address).initProducer({}));
      const batch = batchOf(maxMessageBytes, producer);
      // The retry budget outlasts one call's timeout: on a loaded machine an 8 MiB write may cost a
      // leadership change (an answer of unknown outcome), and its retry must still get its turn.
      const response = await retrying(async () => {
        const leader = await cluster.waitForLeader(name, 0);
        return cluster
          .broker(leader.address)
          .produce({ topic: name, partition: 0, acks: Acks.QUORUM, batch }, { timeoutMs: 30_000 });
      }, 75_000);
      expect(response).toMatchObject({ baseOffset: 0n, lastOffset: 0n, acksAchieved: Acks.QUORUM });
      // Every replica, not just a quorum: a message larger than one frame used to be resent forever.
      for (const node of cluster.nodes) await waitInSync(cluster, name, node.id, 30_000);
    }
  }, 180_000);
});
