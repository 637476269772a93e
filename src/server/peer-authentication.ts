import { ServerInterceptingCall, status, type ServerInterceptor } from '@grpc/grpc-js';
import { nodeIdOfCertificate } from '../../cluster/transport/index.js';

/**
 * Under mutual TLS the peer listener accepts any certificate its CA signed, which may include client
 * certificates when one CA signs both: every call there must also carry a node certificate
 * (raftlog://node/<id>), or it ends UNAUTHENTICATED before reaching a handler. PeerService checks in
 * addition that the node is the one the call claims to be.
 */
export const requireNodeCertificate: ServerInterceptor = (_method, call) =>
  new ServerInterceptingCall(call, {
    start: (next) => {
      next({
        onReceiveMetadata: (metadata, proceed) => {
          const certificate = call.getAuthContext().sslPeerCertificate;
          if (nodeIdOfCertificate(certificate) !== undefined) return proceed(metadata);
          call.sendStatus({
            code: status.UNAUTHENTICATED,
            details: 'the peer listener serves nodes only: present a node certificate (raftlog://node/<id>)',
          });
        },
      });
    },
  });
