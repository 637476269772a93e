import { RaftlogError, type NodeId } from '../../lib/index.js';
import type { HelloRequest, HelloResponse } from '../../proto/gen/raftlog/v1/peer_pb.js';

export const protocolVersion = 1;

export interface Identity {
  readonly nodeId: NodeId;
  readonly clusterId: string;
}

/** What a node says of itself in Hello: its identity and its logical version (0: none, as older builds). */
export interface Announcement extends Identity {
  readonly logicalVersion: number;
}

/** The callee's check of a Hello; a refusal travels back as INVALID_ARGUMENT. */
export function checkHelloRequest(request: HelloRequest, self: Identity): RaftlogError | undefined {
  if (request.clusterId !== self.clusterId) {
    return invalid(`cluster id ${JSON.stringify(request.clusterId)} is not this cluster's`);
  }
  if (request.nodeId === 0) return invalid('node id 0 is not a node');
  if (request.nodeId === self.nodeId) return invalid(`node ${self.nodeId} called itself`);
  if (request.expectedNodeId !== self.nodeId) {
    return invalid(`this is node ${self.nodeId}, not ${request.expectedNodeId} (stale address book)`);
  }
  if (request.protocolVersion < 1) return invalid(`protocol version ${request.protocolVersion}`);
  return undefined;
}

/** The caller's check of the answer: the right node of the right cluster. */
export function checkHelloResponse(response: HelloResponse, expected: Identity): RaftlogError | undefined {
  if (response.clusterId !== expected.clusterId) {
    return invalid(`peer belongs to cluster ${JSON.stringify(response.clusterId)}`);
  }
  if (response.nodeId !== expected.nodeId) {
    return invalid(`expected node ${expected.nodeId}, reached node ${response.nodeId}`);
  }
  return undefined;
}

function invalid(message: string): RaftlogError {
  return new RaftlogError('INVALID_ARGUMENT', message);
}

/**
 * Which node said Hello on which connection (grpc-js's peer string: the caller's ip:port), so a Raft
 * stream on that connection is attributed to it. Entries are not removed when a stream ends, since
 * a redial may already have said Hello again on the same connection; the oldest go first instead.
 */
export class HelloBook {
  private readonly byConnection = new Map<string, NodeId>();

  constructor(private readonly entriesMax = 4096) {}

  remember(connection: string, node: NodeId): void {
    this.byConnection.delete(connection);
    this.byConnection.set(connection, node);
    if (this.byConnection.size > this.entriesMax) {
      const oldest = this.byConnection.keys().next();
      if (oldest.done !== true) this.byConnection.delete(oldest.value);
    }
  }

  lookup(connection: string): NodeId | undefined {
    return this.byConnection.get(connection);
  }
}
