import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NodeApi } from '../../../cluster/node/node-api.js';

export interface WaitPosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * Resolves when any of the partitions has data past its position, after `timeoutMs`, or on abort;
 * the other waits are then cancelled. A wait that fails (leadership moved, topic deleted) counts as a
 * wake: the next read reports why. Never returns sooner than `minMs` unless aborted, so a waiter that
 * wakes without readable data (read_committed behind an open transaction) cannot spin.
 */
export async function waitForAnyData(
  api: NodeApi,
  positions: readonly WaitPosition[],
  timeoutMs: number,
  minMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (timeoutMs <= 0 || signal.aborted || positions.length === 0) return;
  const startedAt = Date.now();
  // A local controller rather than AbortSignal.any: a long stream runs many rounds, and each round's
  // waiters must let go of the call's signal when the round ends.
  const done = new AbortController();
  setMaxListeners(positions.length + 10, done.signal);
  const stop = (): void => done.abort();
  signal.addEventListener('abort', stop, { once: true });
  try {
    await Promise.race(
      positions.map((p) =>
        api.waitForData(p.topic, p.partition, p.offset, timeoutMs, done.signal).catch(() => undefined),
      ),
    );
  } finally {
    signal.removeEventListener('abort', stop);
    done.abort();
  }
  const rest = Math.min(minMs, timeoutMs) - (Date.now() - startedAt);
  if (rest > 0) await sleep(rest, undefined, { signal }).catch(() => undefined);
}
