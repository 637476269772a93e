import { Admin, Consumer, Producer, RaftlogClient } from '../client/index.js';
import type { CliSession } from './cli-context.js';

/** The real session: one client (one channel per node) shared by the command's admin, producer and consumer. */
export function connectSession(bootstrap: string): CliSession {
  const client = new RaftlogClient({ bootstrap });
  return {
    admin: new Admin(client),
    producer: (options) => new Producer(client, options),
    consumer: (options) => new Consumer(client, options),
    close: () => client.close(),
  };
}
