import type { Prng } from '../../lib/index.js';
import { describeExit } from '../../src/local/index.js';
import type { ChaosNode } from '../cluster/index.js';
import { flipRandomByte, truncateRandomFile } from '../faults/index.js';
import type { FaultInForce } from './fault-action.js';

/** A node may find damage only when it loads a group, just after it first answers health checks. */
const settleMs = 5_000;

/**
 * Kills a node, corrupts one file of its data directory, and starts it again. A node that detects
 * the damage and refuses to start, or stops soon after with a clear error, is wiped and started
 * empty, so it rebuilds from its peers: the damage must never reach a reader or the other replicas.
 */
export async function corruptAndRestart(
  node: ChaosNode,
  kind: 'disk-bitflip' | 'disk-truncate',
  prng: Prng,
  inSync: () => Promise<string>,
): Promise<FaultInForce> {
  await node.kill();
  const damage =
    kind === 'disk-bitflip'
      ? await flipRandomByte(node.dataDir, prng)
      : await truncateRandomFile(node.dataDir, prng);
  const outcome = await startDamaged(node).catch(async (error: unknown) => {
    await node.kill();
    await node.wipe();
    await node.start();
    return `it detected the damage (${firstLine((error as Error).message)}); wiped, it rebuilt from its peers`;
  });
  return {
    nodes: [node.id],
    description: `node ${node.id}: ${damage.detail}; ${outcome}`,
    heal: inSync,
  };
}

async function startDamaged(node: ChaosNode): Promise<string> {
  await node.start(true);
  const exit = await node.exitWithin(settleMs);
  if (exit !== undefined) throw new Error(`it stopped with ${describeExit(exit)}`);
  node.settled();
  return 'it started and kept serving';
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
