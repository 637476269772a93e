import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Admin, RaftlogClient } from '../../src/client/index.js';
import type { Launcher } from '../../src/local/index.js';
import { startToxiproxyServer } from '../toxiproxy/index.js';
import { ChaosNode } from './chaos-node.js';
import type { ClusterUnderTest } from './cluster-under-test.js';
import { freePort } from './free-port.js';
import { clientId, LinkProxies } from './link-proxies.js';

export interface ChaosClusterOptions {
  readonly nodes: number;
  /** Node data, logs and the report go under here. */
  readonly dir: string;
  /** A real Toxiproxy to drive instead of the built-in server (it must reach 127.0.0.1). */
  readonly toxiproxyUrl?: string;
  readonly launcher?: Launcher;
  readonly env?: Readonly<Record<string, string>>;
  readonly healthTimeoutMs?: number;
}

const host = '127.0.0.1';

/**
 * Real node processes whose every link goes through its own proxy: node i reaches node j's peer
 * listener only through proxy `ni-nj`, and the workload reaches node j's client listener only
 * through `client-nj`. The harness itself probes nodes on their own addresses.
 */
export class ChaosCluster implements ClusterUnderTest {
  readonly clientLinks = true;

  private constructor(
    readonly nodes: readonly ChaosNode[],
    readonly links: LinkProxies,
    /** The addresses the workload bootstraps from: the client proxies. */
    readonly clientAddresses: readonly string[],
    private readonly closeToxiproxy: () => Promise<void>,
  ) {}

  static async start(options: ChaosClusterOptions): Promise<ChaosCluster> {
    await mkdir(options.dir, { recursive: true });
    const toxiproxy =
      options.toxiproxyUrl === undefined
        ? await startToxiproxyServer({ host, port: 0 })
        : { url: options.toxiproxyUrl, close: () => Promise.resolve() };
    const links = LinkProxies.connect(toxiproxy.url, host);
    const ids = Array.from({ length: options.nodes }, (_, i) => i + 1);
    const direct = new Map<number, string>();
    const directPeer = new Map<number, string>();
    for (const id of ids) direct.set(id, `${host}:${await freePort(host)}`);
    for (const id of ids) directPeer.set(id, `${host}:${await freePort(host)}`);
    const viaClient = new Map<number, string>();
    for (const id of ids)
      viaClient.set(id, await links.create({ from: clientId, to: id }, addressOf(direct, id)));
    const nodes: ChaosNode[] = [];
    for (const id of ids) {
      const peers = [{ id, address: addressOf(directPeer, id) }];
      for (const to of ids.filter((other) => other !== id)) {
        peers.push({ id: to, address: await links.create({ from: id, to }, addressOf(directPeer, to)) });
      }
      nodes.push(
        new ChaosNode(
          {
            id,
            address: addressOf(direct, id),
            peerAddress: addressOf(directPeer, id),
            peers: peers.map((p) => `${p.id}=${p.address}`).join(','),
            dataDir: join(options.dir, `node-${id}`),
            logFile: join(options.dir, `node-${id}.log`),
            ...(options.env === undefined ? {} : { env: options.env }),
            ...(options.launcher === undefined ? {} : { launcher: options.launcher }),
          },
          options.healthTimeoutMs ?? 60_000,
        ),
      );
    }
    const cluster = new ChaosCluster(nodes, links, [...viaClient.values()], () => toxiproxy.close());
    try {
      await Promise.all(nodes.map((n) => n.start()));
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get processes(): ChaosCluster {
    return this;
  }

  node(id: number): ChaosNode {
    const found = this.nodes.find((n) => n.id === id);
    if (found === undefined) throw new Error(`no node ${id}`);
    return found;
  }

  /** A client for the workload: it sees the cluster only through the client proxies. */
  workloadClient(): RaftlogClient {
    return new RaftlogClient({ bootstrap: [...this.clientAddresses], metadataTimeoutMs: 2_000 });
  }

  /** An admin client that bypasses the proxies, for the harness's own moves (transfers, replicas). */
  directAdmin(): { client: RaftlogClient; admin: Admin } {
    const client = new RaftlogClient({ bootstrap: this.nodes.map((n) => n.directAddress) });
    return { client, admin: new Admin(client) };
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.kill()));
    await this.links.removeAll().catch(() => undefined);
    await this.closeToxiproxy();
  }
}

function addressOf(map: ReadonlyMap<number, string>, id: number): string {
  const address = map.get(id);
  if (address === undefined) throw new Error(`no address for node ${id}`);
  return address;
}
