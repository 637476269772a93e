import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from '@grpc/grpc-js';
import { pino } from 'pino';
import { Prng, seedsFrom, type GroupId, type NodeId } from '../../lib/index.js';
import type { Entry, Snapshot } from '../../raft/index.js';
import { PeerService } from '../../proto/gen/raftlog/v1/peer_pb.js';
import { RaftLogStore, RocksKvStore, type StorageBatch } from '../../storage/index.js';
import { createServer, implementService, listen, wireClock } from '../../rpc/index.js';
import { PeerTransport, type TransportLimits } from '../transport/index.js';
import type { GroupStateMachine } from './group-state-machine.js';
import { resolveHostConfig, type HostConfig } from './host-config.js';
import { MultiRaftHost } from './multi-raft-host.js';
import type { RaftGroup } from './raft-group.js';
import { freePort } from '../transport/test-harness.js';

export const testGroup = 1 as GroupId;

/**
 * Keeps every applied entry's data, so its snapshot grows with what was written: a big state is a
 * few big proposals away.
 */
export class KeepAllStateMachine implements GroupStateMachine {
  readonly blocked = false;
  entries: Uint8Array[] = [];

  get bytes(): number {
    return this.entries.reduce((n, e) => n + e.byteLength, 0);
  }

  apply(entry: Entry, _batch: StorageBatch): unknown {
    this.entries.push(entry.data.slice());
    return this.entries.length;
  }

  skip(): void {}

  afterApply(): void {}

  restore(snapshot: Snapshot): void {
    const view = new DataView(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength);
    const entries: Uint8Array[] = [];
    for (let at = 0; at < snapshot.data.byteLength;) {
      const length = view.getUint32(at);
      entries.push(snapshot.data.slice(at + 4, at + 4 + length));
      at += 4 + length;
    }
    this.entries = entries;
  }

  snapshotData(): Uint8Array {
    const out = new Uint8Array(this.bytes + 4 * this.entries.length);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const e of this.entries) {
      view.setUint32(at, e.byteLength);
      out.set(e, at + 4);
      at += 4 + e.byteLength;
    }
    return out;
  }
}

export interface HostNode {
  readonly id: NodeId;
  readonly port: number;
  readonly dir: string;
  kv: RocksKvStore;
  transport: PeerTransport;
  host: MultiRaftHost;
  server: Server;
  sm: KeepAllStateMachine;
  group: RaftGroup;
  fatal: unknown[];
  /** Stops everything but keeps the data directory, so the node can start again from disk. */
  stop(): Promise<void>;
}

export interface HostNodeOptions {
  /** The id of the one group the node runs; testGroup by default. */
  readonly groupId?: GroupId;
  readonly transport?: Partial<TransportLimits>;
  readonly host?: Partial<HostConfig>;
  /** 10 ticks of 20 ms by default. */
  readonly electionTimeoutTicks?: number;
}

export const silent = pino({ level: process.env.HOST_LOG ?? 'silent' });

/** One node: RocksDB in `dir`, a PeerTransport served on 127.0.0.1:`port`, a host running group 1. */
export async function startHostNode(
  id: number,
  dir: string,
  port: number,
  addresses: ReadonlyMap<NodeId, string>,
  options: HostNodeOptions = {},
): Promise<HostNode> {
  const self = id as NodeId;
  const kv = await RocksKvStore.open(join(dir, 'db'));
  const peers = new Map([...addresses].filter(([peer]) => peer !== self));
  const node = { id: self, port, dir, kv, fatal: [] as unknown[] } as unknown as HostNode;
  node.transport = new PeerTransport({
    nodeId: self,
    clusterId: 'host-test',
    advertiseAddress: `127.0.0.1:${port}`,
    peers,
    onMessages: (from, messages) => node.host.deliver(from, messages),
    onUnreachable: (peer, groups) => node.host.reportUnreachable(peer, groups),
    onPeerRefused: (peer) => node.host.peerRefused(peer),
    onFatal: (error) => node.host.fail(error),
    logger: silent,
    clock: wireClock,
    random: Math.random,
    ...(options.transport === undefined ? {} : { limits: options.transport }),
  });
  const config = resolveHostConfig(
    {
      nodeId: self,
      tickMs: 20,
      electionTimeoutTicks: options.electionTimeoutTicks ?? 10,
      heartbeatIntervalTicks: 2,
    },
    { snapshotEntriesMin: 1_000_000, ...options.host, frameBytesMax: node.transport.frameBytesMax },
  );
  const others = [...peers.keys()];
  node.host = new MultiRaftHost(
    config,
    kv,
    new RaftLogStore(kv),
    node.transport,
    silent,
    others,
    wireClock,
    seedsFrom(new Prng(self)),
  );
  node.host.onFatal((error) => node.fatal.push(error));
  node.server = createServer();
  implementService(node.server, PeerService, node.transport.serviceHandlers());
  await listen(node.server, `127.0.0.1:${port}`);
  node.sm = new KeepAllStateMachine();
  const voters = [...addresses.keys()].sort((a, b) => a - b);
  const confState = { voters, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
  node.group = await node.host.addGroup(options.groupId ?? testGroup, node.sm, { confState });
  node.host.start();
  node.stop = async () => {
    await node.host.stop();
    await node.transport.close();
    node.server.forceShutdown();
    await kv.close();
  };
  return node;
}

const dirs: string[] = [];
const running = new Set<HostNode>();

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-host-'));
  dirs.push(dir);
  return dir;
}

export function track(node: HostNode): HostNode {
  running.add(node);
  return node;
}

export async function stopTracked(): Promise<void> {
  for (const n of running) await n.stop();
  running.clear();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    await sleep(5);
  }
}

/** Proposes every entry on `leader` in order and waits until the last is applied there. */
export async function proposeAll(leader: HostNode, entries: readonly Uint8Array[]): Promise<void> {
  let last: Promise<unknown> = Promise.resolve();
  for (const e of entries) last = leader.group.propose(e).applied;
  await last;
}

/** Three nodes' ports, data directories and addresses; `start` (re)starts one from its directory. */
export interface Trio {
  readonly addresses: Map<NodeId, string>;
  readonly dirs: string[];
  readonly ports: number[];
  start(id: number): Promise<HostNode>;
}

export async function trio(options: HostNodeOptions): Promise<Trio> {
  const ports = [await freePort(), await freePort(), await freePort()];
  const dirs = [await tempDir(), await tempDir(), await tempDir()];
  const addresses = new Map(ports.map((p, i) => [(i + 1) as NodeId, `127.0.0.1:${p}`]));
  return {
    addresses,
    dirs,
    ports,
    start: async (id) => track(await startHostNode(id, dirs[id - 1]!, ports[id - 1]!, addresses, options)),
  };
}

/** Nodes 1 and 2 up, one of them leading (returned): node 3 is the lagging follower. */
export async function leaderAndFollower(t: Trio): Promise<[HostNode, HostNode]> {
  const a = await t.start(1);
  const b = await t.start(2);
  a.host.campaign(a.group.id);
  await eventually(() => a.group.isLeader() || b.group.isLeader(), 10_000, 'a leader');
  return a.group.isLeader() ? [a, b] : [b, a];
}
