import { RaftlogError } from '../../lib/index.js';
import { isConnectionRefused } from '../../cluster/transport/index.js';
import type { RaftlogClient } from '../client/index.js';

/** How long one bootstrap node may take to answer before the next is tried. */
export const reachTimeoutMsDefault = 5_000;

/**
 * Finds the first bootstrap node that answers a Metadata call, trying each once in order. The client
 * library retries an unreachable cluster until its call deadlines (a node may be restarting), which
 * makes a mistyped or dead --bootstrap cost a command tens of seconds; the command line says at once
 * which address failed and why instead. Returns the address that answered.
 */
export async function reachCluster(
  client: Pick<RaftlogClient, 'broker'>,
  addresses: readonly string[],
  timeoutMs = reachTimeoutMsDefault,
): Promise<string> {
  const failures: string[] = [];
  for (const address of addresses) {
    try {
      await client.broker(address).metadata({}, { timeoutMs });
      return address;
    } catch (error) {
      failures.push(`${address}: ${reason(error, timeoutMs)}`);
    }
  }
  throw new RaftlogError('UNAVAILABLE', `cannot reach ${failures.join('; ')}`);
}

function reason(error: unknown, timeoutMs: number): string {
  if (isConnectionRefused(error)) return 'connection refused';
  const e = RaftlogError.from(error, 'UNKNOWN');
  if (e.code === 'TIMEOUT') return `no answer within ${timeoutMs} ms`;
  return `${e.code}: ${e.message}`;
}
