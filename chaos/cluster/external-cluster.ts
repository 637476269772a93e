import { setTimeout as sleep } from 'node:timers/promises';
import { Admin, RaftlogClient, type NodeInfo } from '../../src/client/index.js';
import type { ClusterUnderTest, NodeUnderTest } from './cluster-under-test.js';
import { clientId, LinkProxies, linkName, type Link } from './link-proxies.js';
import type { LinkProxySpec } from './links-file.js';

export interface ExternalClusterOptions {
  /** Client addresses of the cluster (a Service, or some nodes). */
  readonly bootstrap: readonly string[];
  readonly toxiproxyUrl: string;
  /** The link proxies to create; without them, the ones already in the Toxiproxy are taken over. */
  readonly links?: readonly LinkProxySpec[];
  /** How long to wait for every node of the links to be alive in the cluster's own view. */
  readonly readyTimeoutMs?: number;
}

const statusPollMs = 1_000;

/**
 * A cluster the harness did not start (e.g. a StatefulSet): its nodes dial each other through one
 * Toxiproxy proxy per directed link, so network faults work as on the harness's own nodes, while
 * process faults have no process to act on. The workload reaches the nodes directly.
 */
export class ExternalCluster implements ClusterUnderTest {
  readonly processes = undefined;
  readonly clientLinks = false;

  private constructor(
    readonly nodes: readonly NodeUnderTest[],
    readonly links: LinkProxies,
    private readonly bootstrap: readonly string[],
  ) {}

  static async connect(options: ExternalClusterOptions): Promise<ExternalCluster> {
    const links = LinkProxies.connect(options.toxiproxyUrl, '0.0.0.0');
    const found = options.links === undefined ? await links.adopt() : await createAll(links, options.links);
    const ids = nodeIdsOf(found);
    requireFullMesh(found, ids);
    const client = new RaftlogClient({ bootstrap: [...options.bootstrap], metadataTimeoutMs: 2_000 });
    try {
      const nodes = await waitAllAlive(new Admin(client), ids, options.readyTimeoutMs ?? 600_000);
      return new ExternalCluster(
        nodes.map((n) => ({
          id: n.id,
          directAddress: n.address,
          running: true,
          isPaused: false,
          unexpectedExits: [],
        })),
        links,
        options.bootstrap,
      );
    } finally {
      client.close();
    }
  }

  workloadClient(): RaftlogClient {
    return new RaftlogClient({ bootstrap: [...this.bootstrap], metadataTimeoutMs: 2_000 });
  }

  directAdmin(): { client: RaftlogClient; admin: Admin } {
    const client = new RaftlogClient({ bootstrap: [...this.bootstrap] });
    return { client, admin: new Admin(client) };
  }

  /** Leaves every proxy in place, healed: the nodes keep dialing each other through them. */
  async stop(): Promise<void> {
    await this.links.healAll();
    await this.links.unslowAll();
  }
}

async function createAll(links: LinkProxies, specs: readonly LinkProxySpec[]): Promise<Link[]> {
  for (const spec of specs) await links.create(spec.link, spec.upstream, spec.listen);
  return specs.map((s) => s.link);
}

function nodeIdsOf(found: readonly Link[]): number[] {
  const ids = new Set(found.flatMap((l) => [l.from, l.to]).filter((id) => id !== clientId));
  return [...ids].sort((a, b) => a - b);
}

/** A link outside Toxiproxy could not be cut, and a partition would leak through it. */
function requireFullMesh(found: readonly Link[], ids: readonly number[]): void {
  const names = new Set(found.map(linkName));
  const missing = ids.flatMap((from) =>
    ids.filter((to) => to !== from && !names.has(linkName({ from, to }))).map((to) => linkName({ from, to })),
  );
  if (ids.length < 3) throw new Error(`link proxies for ${ids.length} nodes; a run needs at least 3`);
  if (missing.length > 0) throw new Error(`no proxy for the links ${missing.join(', ')}`);
}

async function waitAllAlive(admin: Admin, ids: readonly number[], timeoutMs: number): Promise<NodeInfo[]> {
  const deadline = Date.now() + timeoutMs;
  let seen = 'no answer';
  for (;;) {
    const status = await admin.clusterStatus().catch((error: unknown) => {
      seen = (error as Error).message;
      return undefined;
    });
    const nodes = ids.map((id) => status?.nodes.find((n) => n.id === id && n.alive));
    if (nodes.every((n) => n !== undefined)) return nodes;
    if (status !== undefined)
      seen = `alive: ${status.nodes
        .filter((n) => n.alive)
        .map((n) => n.id)
        .join(', ')}`;
    if (Date.now() > deadline)
      throw new Error(`nodes ${ids.join(', ')} not all alive after ${timeoutMs} ms (${seen})`);
    await sleep(statusPollMs);
  }
}
