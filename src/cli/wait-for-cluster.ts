import { RaftlogError } from '../../lib/index.js';
import type { ClusterStatus } from '../client/index.js';
import type { CliAdmin } from './cli-context.js';

/** How often a waiting command asks the cluster again. */
const pollIntervalMs = 500;

/**
 * Asks for the cluster's status until `done` holds (each answer is passed to it, so it can report
 * progress); TIMEOUT after `timeoutMs`. A failed ask (a node restarting) is retried.
 */
export async function waitForCluster(
  admin: Pick<CliAdmin, 'clusterStatus'>,
  what: string,
  timeoutMs: number,
  done: (status: ClusterStatus) => boolean,
): Promise<ClusterStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await admin.clusterStatus().catch(() => undefined);
    if (status !== undefined && done(status)) return status;
    if (Date.now() >= deadline)
      throw new RaftlogError('TIMEOUT', `gave up waiting for ${what} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, pollIntervalMs));
  }
}
