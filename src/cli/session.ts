import { Admin, Consumer, parseBootstrap, Producer, RaftlogClient } from '../client/index.js';
import type { CliSession } from './cli-context.js';
import { reachCluster } from './reach-cluster.js';

/**
 * The real session: one client (one channel per node) shared by the command's admin, producer and
 * consumer, opened only once a bootstrap node answers, and pointed at that node first.
 */
export async function connectSession(bootstrap: string): Promise<CliSession> {
  const client = new RaftlogClient({ bootstrap });
  let reached: string;
  try {
    reached = await reachCluster(client, parseBootstrap(bootstrap));
  } catch (error) {
    client.close();
    throw error;
  }
  const admin = new Admin(client, { preferredAddress: reached });
  return {
    admin,
    producer: (options) => new Producer(client, options),
    consumer: (options) => new Consumer(client, options),
    groups: {
      admin,
      consumer: (options) => new Consumer(client, options),
    },
    close: () => client.close(),
  };
}
