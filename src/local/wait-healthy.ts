import { createClient } from '../../rpc/index.js';
import { Health, HealthCheckResponse_ServingStatus } from '../../proto/gen/grpc/health/v1/health_pb.js';
import { pollUntil, probeChannelOptions } from './poll-until.js';

/**
 * Resolves once the node at `address` answers grpc.health.v1 Check for the whole server ("") with
 * SERVING; rejects with TIMEOUT after timeoutMs, or with CANCELLED when `signal` aborts.
 */
export async function waitHealthy(address: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
  const client = createClient(Health, address, { channelOptions: probeChannelOptions });
  try {
    await pollUntil(
      `${address} not healthy`,
      async (attemptMs) => {
        const seen = await checkOnce(client, attemptMs);
        return { done: seen === 'SERVING', seen };
      },
      timeoutMs,
      signal,
    );
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
