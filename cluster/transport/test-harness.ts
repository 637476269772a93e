import net from 'node:net';
import type { Server } from '@grpc/grpc-js';
import { pino } from 'pino';
import type { Clock, GroupId, LogIndex, NodeId, Term } from '../../lib/index.js';
import type { Message } from '../../raft/index.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { createServer, implementService, listen, wireClock } from '../../rpc/index.js';
import type { TransportLimits } from './limits.js';
import { PeerTransport } from './peer-transport.js';
import type { GroupMessage } from './types.js';

/** One node's transport and what its callbacks saw, for tests over 127.0.0.1. */
export interface TestNode {
  readonly id: NodeId;
  readonly transport: PeerTransport;
  /** Mutable so that peers can be added once every node listens. */
  readonly peers: Map<NodeId, string>;
  readonly frames: { from: NodeId; messages: readonly GroupMessage[] }[];
  readonly unreachable: { peer: NodeId; groupIds: readonly GroupId[]; atMs: number }[];
  readonly refused: { peer: NodeId; atMs: number }[];
  /** Errors a callback threw, reported fatal. */
  readonly fatal: unknown[];
  server: Server | undefined;
  address: string;
}

const nodes: TestNode[] = [];
const extraServers: Server[] = [];

export const silent = pino({ level: process.env.TRANSPORT_LOG ?? 'silent' });

export function createNode(
  id: number,
  options: {
    clusterId?: string;
    limits?: Partial<TransportLimits>;
    onMessages?: (from: NodeId, messages: readonly GroupMessage[]) => void;
    /** Flushes, dial timing and redial backoff; the wall clock by default. */
    clock?: Clock;
    /** Announced in Hello; none (as a build older than the announcement) by default. */
    logicalVersion?: number;
  } = {},
): TestNode {
  const peers = new Map<NodeId, string>();
  const node: TestNode = {
    id: id as NodeId,
    peers,
    frames: [],
    unreachable: [],
    refused: [],
    fatal: [],
    server: undefined,
    address: '',
    transport: new PeerTransport({
      nodeId: id as NodeId,
      clusterId: options.clusterId ?? 'test-cluster',
      advertiseAddress: `127.0.0.1:${9000 + id}`,
      peers,
      onMessages: options.onMessages ?? ((from, messages) => void node.frames.push({ from, messages })),
      onUnreachable: (peer, groupIds) => node.unreachable.push({ peer, groupIds, atMs: performance.now() }),
      onPeerRefused: (peer) => node.refused.push({ peer, atMs: performance.now() }),
      onFatal: (error) => node.fatal.push(error),
      logger: silent,
      clock: options.clock ?? wireClock,
      random: Math.random,
      ...(options.limits === undefined ? {} : { limits: options.limits }),
      ...(options.logicalVersion === undefined ? {} : { logicalVersion: options.logicalVersion }),
    }),
  };
  nodes.push(node);
  return node;
}

/** Serves the node's PeerService on 127.0.0.1 (port 0: any free one). */
export async function serve(node: TestNode, port = 0): Promise<string> {
  const server = createServer();
  implementService(server, PeerService, node.transport.serviceHandlers());
  node.server = server;
  node.address = `127.0.0.1:${await listen(server, `127.0.0.1:${port}`)}`;
  return node.address;
}

export function stopServing(node: TestNode): void {
  node.server?.forceShutdown();
  node.server = undefined;
}

/** Started nodes that all know each other. */
export async function cluster(size: number, limits?: Partial<TransportLimits>): Promise<TestNode[]> {
  const members = Array.from({ length: size }, (_, i) =>
    createNode(i + 1, limits === undefined ? {} : { limits }),
  );
  for (const n of members) await serve(n);
  for (const n of members) for (const m of members) if (n !== m) n.peers.set(m.id, m.address);
  return members;
}

/** Opens every link (first dials are slow on a loaded machine), then forgets what that delivered. */
export async function connectAll(members: readonly TestNode[]): Promise<void> {
  const warmUpGroup = 999_999;
  const callers = (m: TestNode) => members.filter((n) => n.peers.has(m.id));
  for (const m of members)
    for (const n of callers(m)) n.transport.send(m.id, [heartbeat(n.id, m.id, warmUpGroup)]);
  await eventually(() => members.every((m) => received(m).length === callers(m).length), 10_000);
  for (const n of members) n.frames.length = 0;
}

export function track(server: Server): Server {
  extraServers.push(server);
  return server;
}

export async function stopAll(): Promise<void> {
  for (const n of nodes.splice(0)) {
    await n.transport.close();
    stopServing(n);
  }
  for (const s of extraServers.splice(0)) s.forceShutdown();
}

/** A port nothing listens on (until a test binds it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

export function heartbeat(from: number, to: number, group: number, commit = 0): GroupMessage {
  return {
    groupId: group as GroupId,
    message: {
      type: 'heartbeat',
      from: from as NodeId,
      to: to as NodeId,
      term: 1 as Term,
      logTerm: 0 as Term,
      index: 0 as LogIndex,
      entries: [],
      commit: commit as LogIndex,
      reject: false,
      rejectHint: 0 as LogIndex,
    } satisfies Message,
  };
}

export function append(from: number, to: number, group: number, payloadBytes: number): GroupMessage {
  const m = heartbeat(from, to, group).message;
  const entry = {
    term: 1 as Term,
    index: 1 as LogIndex,
    type: 'normal' as const,
    data: new Uint8Array(payloadBytes),
  };
  return { groupId: group as GroupId, message: { ...m, type: 'append', entries: [entry] } };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await sleep(2);
  }
}

export const received = (node: TestNode, from?: number): GroupMessage[] =>
  node.frames.filter((f) => from === undefined || f.from === from).flatMap((f) => f.messages);
