import type { Prng } from '../../lib/index.js';
import type { ChaosNode } from '../cluster/index.js';
import { flipRandomByte, truncateRandomFile } from '../faults/index.js';
import type { FaultInForce } from './fault-action.js';

/**
 * Kills a node, corrupts one file of its data directory, and starts it again. A node that detects
 * the damage and refuses to start is wiped and started empty, so it rebuilds from its peers: the
 * damage must never reach a reader or the other replicas.
 */
export async function corruptAndRestart(
  node: ChaosNode,
  kind: 'disk-bitflip' | 'disk-truncate',
  prng: Prng,
): Promise<FaultInForce> {
  await node.kill();
  const damage =
    kind === 'disk-bitflip' ? await flipRandomByte(node.dataDir, prng) : await truncateRandomFile(node.dataDir, prng);
  const what = `node ${node.id}: ${damage.detail}`;
  const outcome = await node.start(true).then(
    () => 'it started',
    async (error: unknown) => {
      const refusal = firstLine((error as Error).message);
      await node.kill();
      await node.wipe();
      await node.start();
      return `it refused to start (${refusal}); wiped, it rebuilt from its peers`;
    },
  );
  return {
    nodes: [node.id],
    description: `${what}; ${outcome}`,
    heal: () => Promise.resolve(undefined),
  };
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
