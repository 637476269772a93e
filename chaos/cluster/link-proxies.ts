import { Toxiproxy, type Proxy } from 'toxiproxy-node-client';

/** A directed link: `from` opens connections to `to`. Node 0 stands for the workload's client. */
export interface Link {
  readonly from: number;
  readonly to: number;
}

export const clientId = 0;

/** Which byte streams of a link a cut drops: both, or only what `from` sends (an asymmetric cut). */
export type CutDirection = 'both' | 'forward';

const blackholeToxics = ['chaos_blackhole_up', 'chaos_blackhole_down'] as const;

export function linkName(link: Link): string {
  return link.from === clientId ? `client-n${link.to}` : `n${link.from}-n${link.to}`;
}

/** The link a proxy name stands for; undefined for a name that is not a link's. */
export function linkOfName(name: string): Link | undefined {
  const match = /^(?:client|n([1-9]\d*))-n([1-9]\d*)$/.exec(name);
  if (match === null) return undefined;
  return { from: match[1] === undefined ? clientId : Number(match[1]), to: Number(match[2]) };
}

/**
 * One Toxiproxy proxy per directed link between nodes, and one per client→node link, created
 * through the Toxiproxy HTTP API. A cut is a silent blackhole (a `timeout` toxic with timeout 0
 * drops every byte and holds the connection open), as a real partition behaves; a refused
 * connection would tell the peer at once. Healing removes the toxics and then disables and enables
 * the proxy, because dropped bytes have corrupted whatever HTTP/2 streams crossed it.
 */
export class LinkProxies {
  private readonly proxies = new Map<string, Proxy>();
  private readonly cut = new Set<string>();

  constructor(
    private readonly api: Toxiproxy,
    private readonly listenHost: string,
  ) {}

  static connect(url: string, listenHost: string): LinkProxies {
    return new LinkProxies(new Toxiproxy(url), listenHost);
  }

  /**
   * Creates the proxy for a link (replacing one of the same name) and answers the address to dial
   * instead of the node's own; it listens on a free port unless `listen` fixes one.
   */
  async create(link: Link, upstream: string, listen = `${this.listenHost}:0`): Promise<string> {
    const name = linkName(link);
    const existing = await this.api.getAll().then((all) => all[name]);
    // A proxy already in place (e.g. loaded from Toxiproxy's -config) keeps the nodes' connections.
    if (existing !== undefined && sameProxy(existing, listen, upstream)) {
      this.proxies.set(name, existing);
      return existing.listen;
    }
    if (existing !== undefined) await existing.remove();
    const proxy = await this.api.createProxy({ name, listen, upstream });
    this.proxies.set(name, proxy);
    return proxy.listen;
  }

  /**
   * Takes over the link proxies someone else created (named `ni-nj` or `client-nj`) and answers the
   * links found. A reset first heals whatever an earlier run left cut: the Toxiproxy serves this
   * cluster's links only.
   */
  async adopt(): Promise<Link[]> {
    await this.api.reset();
    const found: Link[] = [];
    for (const [name, proxy] of Object.entries(await this.api.getAll())) {
      const link = linkOfName(name);
      if (link === undefined) continue;
      this.proxies.set(name, proxy);
      found.push(link);
    }
    return found;
  }

  isCut(link: Link): boolean {
    return this.cut.has(linkName(link));
  }

  async cutLink(link: Link, direction: CutDirection = 'both'): Promise<void> {
    const proxy = this.proxyOf(link);
    const streams = direction === 'both' ? (['upstream', 'downstream'] as const) : (['upstream'] as const);
    for (const stream of streams) {
      await proxy.addToxic({
        name: stream === 'upstream' ? blackholeToxics[0] : blackholeToxics[1],
        type: 'timeout',
        stream,
        toxicity: 1,
        attributes: { timeout: 0 },
      });
    }
    this.cut.add(linkName(link));
  }

  /** Heals every cut link: toxics removed, connections reset so both ends reconnect cleanly. */
  async healAll(): Promise<void> {
    for (const name of [...this.cut]) {
      const proxy = this.proxies.get(name);
      if (proxy === undefined) continue;
      for (const toxic of blackholeToxics) {
        await proxy.getToxic(toxic).then(
          (t) => t.remove(),
          () => undefined,
        );
      }
      // The client's update sends every field; the same listen and upstream keep the proxy where it is.
      const same = { listen: proxy.listen, upstream: proxy.upstream };
      await proxy.update({ ...same, enabled: false });
      await proxy.update({ ...same, enabled: true });
      this.cut.delete(name);
    }
  }

  /** Adds latency with jitter to every link between nodes (a slow network, not a partition). */
  async slowAll(latencyMs: number, jitterMs: number): Promise<void> {
    for (const [name, proxy] of this.proxies) {
      if (name.startsWith('client-')) continue;
      await proxy.addToxic({
        name: 'chaos_latency',
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: latencyMs, jitter: jitterMs },
      });
    }
  }

  async unslowAll(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.getToxic('chaos_latency').then(
        (t) => t.remove(),
        () => undefined,
      );
    }
  }

  async removeAll(): Promise<void> {
    for (const proxy of this.proxies.values()) await proxy.remove().catch(() => undefined);
    this.proxies.clear();
    this.cut.clear();
  }

  private proxyOf(link: Link): Proxy {
    const proxy = this.proxies.get(linkName(link));
    if (proxy === undefined) throw new Error(`no proxy for link ${linkName(link)}`);
    return proxy;
  }
}

function sameProxy(proxy: Proxy, listen: string, upstream: string): boolean {
  const port = (address: string): string => address.slice(address.lastIndexOf(':') + 1);
  return proxy.upstream === upstream && !listen.endsWith(':0') && port(proxy.listen) === port(listen);
}
