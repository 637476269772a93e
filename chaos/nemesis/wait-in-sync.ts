import { setTimeout as sleep } from 'node:timers/promises';
import type { NemesisContext } from './nemesis-context.js';

const inSyncTimeoutMs = 30_000;
const pollMs = 200;

/**
 * Waits until `node` is back in the in-sync set of every partition it replicates, each with a
 * leader: a restarted or rebuilt node is not whole before that, and a fault injected meanwhile
 * would be a double fault (a rebuilding node does not vote until it has caught up). Answers words
 * for the report.
 */
export async function waitInSync(ctx: NemesisContext, node: number): Promise<string> {
  const started = Date.now();
  while (Date.now() - started < inSyncTimeoutMs) {
    const details = await ctx.admin.describeTopic(ctx.topic).catch(() => undefined);
    const mine = details?.partitionStatus.filter((p) => p.replicas.includes(node));
    if (mine !== undefined && mine.every((p) => p.leader !== 0 && p.inSync.includes(node))) {
      return `node ${node} in sync after ${Date.now() - started} ms`;
    }
    await sleep(pollMs, undefined, { signal: ctx.signal }).catch(() => undefined);
    if (ctx.signal.aborted) break;
  }
  return `node ${node} not in sync after ${Date.now() - started} ms`;
}
