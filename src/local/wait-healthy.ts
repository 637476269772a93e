import { createClient } from '../../rpc/index.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { RaftlogError } from '../../lib/index.js';

const pollMs = 100;
const attemptTimeoutMs = 1_000;

// grpc-js backs off up to two minutes between reconnects by default; a node that starts in a second
// would then be noticed long after it is up.
const probeChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.use_local_subchannel_pool': 1,
};

/**
 * Resolves once the node at `address` answers grpc.health.v1 Check for the whole server ("") with
 * SERVING; rejects with TIMEOUT after timeoutMs, or with CANCELLED when `signal` aborts.
 */
export async function waitHealthy(address: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const client = createClient(Health, address, { channelOptions: probeChannelOptions });
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  try {
    for (;;) {
      if (signal?.aborted === true) throw new RaftlogError('CANCELLED', `stopped waiting for ${address}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new RaftlogError('TIMEOUT', `${address} not healthy after ${timeoutMs} ms (${last})`);
      last = await checkOnce(client, Math.min(left, attemptTimeoutMs));
      if (last === 'SERVING') return;
      await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), signal);
    }
  } finally {
    client.close();
  }
}

async function checkOnce(
  client: ReturnType<typeof createClient<typeof Health>>,
  timeoutMs: number,
): Promise<string> {
  try {
    const { status } = await client.check({ service: '' }, { timeoutMs });
    return HealthCheckResponse_ServingStatus[status] ?? String(status);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
