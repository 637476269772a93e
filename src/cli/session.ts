import {
  QueueConsumer,
  queueStats,
  deleteQueueGroup,
  listQueueGroups,
  redrive,
  Admin,
  Consumer,
  parseBootstrap,
  Producer,
  RaftlogClient,
  SecurityAdmin,
  type UserCredentials,
} from '../client/index.js';
import type { CliSession } from './cli-context.js';
import { reachCluster } from './reach-cluster.js';

/**
 * The real session: one client (one channel per node) shared by the command's admin, producer and
 * consumer, opened only once a bootstrap node answers, and pointed at that node first.
 */
export async function connectSession(bootstrap: string, auth?: UserCredentials): Promise<CliSession> {
  const client = new RaftlogClient({ bootstrap, ...(auth === undefined ? {} : { auth }) });
  let reached: string;
  try {
    // A wrong password is reported as such, before any call is refused for want of a login.
    await client.tokens?.login();
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
    queues: {
      consumer: (options) => new QueueConsumer(client, options),
      stats: (topic, queue) => queueStats(client, topic, queue),
      deleteGroup: (topic, queue) => deleteQueueGroup(client, topic, queue),
      listGroups: (topic) => listQueueGroups(client, topic),
      redrive: (options) => redrive(client, options),
    },
    security: new SecurityAdmin(client, reached),
    close: () => client.close(),
  };
}
