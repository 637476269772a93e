import type { Logger } from 'pino';
import { nodeId, RaftlogError, type GroupId, type NodeId } from '../../lib/index.js';
import type { HelloRequest, PeerService, RaftRequest } from '../../proto/gen/raftlog/v1/peer_pb.js';
import type { CallContext, ServiceImpl } from '../../rpc/index.js';
import { checkHelloRequest, HelloBook, protocolVersion, type Announcement } from './hello.js';
import { InboundStream, refuse } from './inbound-stream.js';
import { nodeIdOfCertificate } from './node-certificate.js';
import type { TransportLimits } from './limits.js';
import type { GroupMessage, TransportStats } from './types.js';

export interface PeerServiceDeps {
  readonly self: Announcement;
  readonly limits: TransportLimits;
  readonly deliver: (from: NodeId, messages: readonly GroupMessage[]) => void;
  readonly isHosted: (groupId: GroupId) => boolean;
  readonly logger: Logger;
  readonly stats: TransportStats;
  /**
   * Mutual TLS: a Hello must come with a verified certificate for the node it names, and a Raft
   * stream on a connection whose certificate names the node that said Hello there.
   */
  readonly requireNodeCertificate?: boolean;
}

/** The receiving side of PeerService: Hello identifies the caller's connection, Raft streams into it. */
export function peerServiceHandlers(deps: PeerServiceDeps): ServiceImpl<typeof PeerService> {
  const book = new HelloBook();
  return {
    hello: (request, context) => hello(request, context, deps, book),
    raft: (frames, context) => raftStream(frames, context, deps, book),
  };
}

function hello(request: HelloRequest, context: CallContext, deps: PeerServiceDeps, book: HelloBook) {
  const refusal = checkHelloRequest(request, deps.self) ?? certificateRefusal(request.nodeId, context, deps);
  if (refusal !== undefined) {
    deps.logger.warn({ peer: context.peer, reason: refusal.message }, 'refused a peer hello');
    return Promise.reject(refusal);
  }
  book.remember(context.peer, nodeId(request.nodeId));
  const { nodeId: self, clusterId, logicalVersion } = deps.self;
  return Promise.resolve({ nodeId: self, clusterId, protocolVersion, logicalVersion });
}

async function* raftStream(
  frames: AsyncIterable<RaftRequest>,
  context: CallContext,
  deps: PeerServiceDeps,
  book: HelloBook,
) {
  const from = book.lookup(context.peer);
  const problem =
    from === undefined ? 'no Hello on this connection' : certificateRefusal(from, context, deps)?.message;
  if (from === undefined || problem !== undefined) {
    deps.stats.refusedStreams++;
    deps.logger.warn({ peer: context.peer, reason: problem }, 'refused a raft stream');
    yield refuse(problem ?? 'refused');
    return;
  }
  const { windowFrames, windowBytes } = deps.limits;
  const stream = new InboundStream(from, { ...deps, self: deps.self.nodeId, windowFrames, windowBytes });
  yield stream.greeting();
  for await (const frame of frames) {
    const response = stream.accept(frame);
    if (response !== undefined) yield response;
    if (response?.error !== undefined) {
      deps.stats.refusedStreams++;
      deps.logger.warn({ peer: from, reason: response.error.message }, 'refused a raft stream');
      return;
    }
  }
}

/** Under mutual TLS, the node a call claims to come from must be the one its certificate names. */
function certificateRefusal(claimed: number, context: CallContext, deps: PeerServiceDeps) {
  if (deps.requireNodeCertificate !== true) return undefined;
  const certified = nodeIdOfCertificate(context.peerCertificate);
  if (certified === claimed) return undefined;
  return new RaftlogError(
    'INVALID_ARGUMENT',
    certified === undefined
      ? `no verified node certificate on this connection (node ${claimed} claimed)`
      : `the certificate is node ${certified}'s, the caller claims node ${claimed}`,
  );
}
