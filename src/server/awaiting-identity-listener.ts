import type { Logger } from 'pino';
import { createServer, implementService, shutdown } from '../../rpc/index.js';
import { AdminService } from '../../proto/gen/raftlog/v1/admin_pb.js';
import { listenBounded } from './bounded-listen.js';
import type { NodeConfig } from './node-config.js';
import type { NodeTls } from './node-tls.js';
import { requireNodeCertificate } from './peer-authentication.js';

/**
 * While a node on an empty data directory finds out which cluster it belongs to, its peer port answers
 * ClusterStatus with `awaiting_identity` and nothing else: the nodes of a new cluster, all waiting,
 * count each other's answers before any of them takes the cluster for a new one. Closed before the
 * node's real listeners open on the same port.
 */
export async function answerAsAwaiting(
  config: Pick<NodeConfig, 'peerListen' | 'connectionsMax'>,
  tls: NodeTls,
  logger: Logger,
): Promise<() => Promise<void>> {
  const server = createServer({ interceptors: tls.on ? [requireNodeCertificate] : [] });
  implementService(server, AdminService, {
    clusterStatus: () => Promise.resolve({ awaitingIdentity: true }),
  });
  const onAcceptError = (error: Error): void => logger.warn({ err: error }, 'accepting a connection failed');
  const listener = await listenBounded(
    server,
    config.peerListen,
    { connectionsMax: config.connectionsMax },
    onAcceptError,
    tls.peer,
  );
  return async () => {
    listener.stopAccepting();
    await shutdown(server, 0);
    await listener.close();
  };
}
