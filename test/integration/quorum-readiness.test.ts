import { describe, expect, it } from 'vitest';
import { createClient } from '../../rpc/index.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { probe } from '../../src/cli/health-command.js';
import { controllerQuorumHealthService } from '../../src/server/readiness-health.js';
import { sleep, startCluster } from './harness/index.js';

const flags = (address: string) => ({ address, timeoutMs: 2_000, ready: true, lagEntriesMax: 1_000 });

/** Polls `raftlog health --ready` until it says `ok`; returns how long that took. */
async function untilReady(address: string, self: number, ok: boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < withinMs) {
    const verdict = await probe(flags(address), self);
    if (verdict.ok === ok) return Date.now() - started;
    last = `${verdict.status}: ${verdict.detail}`;
    await sleep(100);
  }
  throw new Error(`node at ${address} still ${ok ? 'not ready' : 'ready'} after ${withinMs} ms (${last})`);
}

async function quorumStatus(address: string): Promise<HealthCheckResponse_ServingStatus> {
  const health = createClient(Health, address);
  try {
    return (await health.check({ service: controllerQuorumHealthService }, { timeoutMs: 2_000 })).status;
  } finally {
    health.close();
  }
}

describe('readiness follows the controller quorum', () => {
  it('turns not ready within seconds when two of three nodes stop, and ready again when they return', async () => {
    const cluster = await startCluster({ nodes: 3 });
    const survivor = cluster.node(1);
    await untilReady(survivor.address, 1, true, 30_000);
    expect(await quorumStatus(survivor.address)).toBe(HealthCheckResponse_ServingStatus.SERVING);

    await Promise.all([cluster.node(2).stop(), cluster.node(3).stop()]);
    const notReadyAfterMs = await untilReady(survivor.address, 1, false, 5_000);
    const verdict = await probe(flags(survivor.address), 1);
    expect(verdict.detail).toMatch(/quorum of the controller group/);
    expect(await quorumStatus(survivor.address)).toBe(HealthCheckResponse_ServingStatus.NOT_SERVING);
    // Liveness is the process alone: the node as a whole still serves.
    expect((await probe({ ...flags(survivor.address), ready: false }, 1)).ok).toBe(true);

    await Promise.all([cluster.node(2).start(), cluster.node(3).start()]);
    const readyAfterMs = await untilReady(survivor.address, 1, true, 15_000);
    expect(await quorumStatus(survivor.address)).toBe(HealthCheckResponse_ServingStatus.SERVING);
    console.log(`not ready ${notReadyAfterMs} ms after the stop, ready ${readyAfterMs} ms after the restart`);
  }, 90_000);
});
