import { describe, expect, it } from 'vitest';
import { sleep, startCluster } from './harness/index.js';
import { checkNothingLost, leadershipChanges, SteadyProducer } from './steady-producer.js';

const topic = 'graceful';
/** A graceful stop hands leadership over before it stops serving: writers barely notice. */
const silenceMsMax = 1_000;

describe('graceful stop of a partition leader', () => {
  it.each(['stream', 'unary'] as const)(
    'SIGTERM hands leadership over first: %s writes pause well under a second',
    async (transport) => {
      const cluster = await startCluster({ nodes: 3 });
      await cluster.createTopic(topic, 1, 3);
      const { leaderId } = await cluster.waitForLeader(topic, 0);
      const producer = new SteadyProducer(cluster, topic, transport);
      producer.start();
      let silenceMs: number;
      const stopAt = Date.now() + 1_500;
      try {
        await sleep(stopAt - Date.now());
        await cluster.node(leaderId).stop();
        const stoppedAt = Date.now();
        await sleep(1_000);
        // From the signal until a second after the process was gone: the hand-over and the drain.
        silenceMs = producer.longestSilence(stopAt, stoppedAt + 1_000);
      } finally {
        await producer.stop();
      }
      const elections = leadershipChanges(cluster, stopAt);
      console.log(
        JSON.stringify({ test: 'graceful-stop', transport, leader: leaderId, silenceMs, elections }),
      );
      await checkNothingLost(cluster, topic, producer);
      expect(silenceMs).toBeLessThan(silenceMsMax);
    },
    120_000,
  );
});
