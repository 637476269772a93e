import { createServer, connect, type Server, type Socket } from 'node:net';
import { peerAddressOf, type NodeAddress } from '../../../src/local/index.js';

/**
 * What the proxy does with connections:
 * - 'forward': passes bytes both ways;
 * - 'cut': a silent partition: connections stay open and new ones are accepted, but nothing moves
 *   (both sockets stop reading, so bytes wait in the kernel as they would in retransmission);
 * - 'refuse': nothing listens, so connecting fails at once; open connections are reset;
 * - 'accept-then-close': connections are accepted and closed at once (a dead pod behind a
 *   Kubernetes Service); open connections are closed.
 */
export type ProxyMode = 'forward' | 'cut' | 'refuse' | 'accept-then-close';

interface Pair {
  readonly client: Socket;
  readonly upstream: Socket;
}

/** A TCP proxy on 127.0.0.1 to one target, whose mode a test switches to inject link faults. */
export class TcpProxy {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private current: ProxyMode = 'forward';
  private closed = false;

  private constructor(
    private readonly target: { host: string; port: number },
    private port: number,
  ) {}

  /** Listens on a free port of 127.0.0.1 (or `port`) and forwards to `target` (HOST:PORT). */
  static async start(target: string, port = 0): Promise<TcpProxy> {
    const at = target.lastIndexOf(':');
    const proxy = new TcpProxy({ host: target.slice(0, at), port: Number(target.slice(at + 1)) }, port);
    await proxy.listen();
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get mode(): ProxyMode {
    return this.current;
  }

  async set(mode: ProxyMode): Promise<void> {
    this.current = mode;
    if (mode === 'refuse') {
      await this.unlisten();
      for (const p of [...this.pairs]) this.drop(p, true);
      return;
    }
    if (this.server === undefined) await this.listen();
    for (const p of [...this.pairs]) {
      if (mode === 'accept-then-close') this.drop(p, false);
      else if (mode === 'cut') this.pause(p);
      else this.resume(p);
    }
  }

  heal(): Promise<void> {
    return this.set('forward');
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of [...this.pairs]) this.drop(p, true);
    await this.unlisten();
  }

  private listen(): Promise<void> {
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: this.port }, () => {
        server.off('error', reject);
        const address = server.address();
        if (address !== null && typeof address === 'object') this.port = address.port;
        resolve();
      });
    });
  }

  private unlisten(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return Promise.resolve();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (this.current === 'accept-then-close' || this.closed) {
      client.on('error', () => undefined);
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair = { client, upstream };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on('data', (chunk: Buffer) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => this.current === 'forward' && upstream.resume());
    upstream.on('drain', () => this.current === 'forward' && client.resume());
    const end = (): void => this.drop(pair, false);
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
      s.on('end', end);
    }
    if (this.current === 'cut') this.pause(pair);
  }

  private pause(p: Pair): void {
    p.client.pause();
    p.upstream.pause();
  }

  private resume(p: Pair): void {
    p.client.resume();
    p.upstream.resume();
  }

  private drop(p: Pair, reset: boolean): void {
    if (!this.pairs.delete(p)) return;
    for (const s of [p.client, p.upstream]) {
      if (reset) s.resetAndDestroy();
      else s.destroy();
    }
  }
}

/**
 * One proxy per directed node-to-node link: node `from` dials node `to` through `link(from, to)`, so a
 * test can cut any set of links. `peersFor(id)` is node `id`'s `--peers` value (itself direct).
 */
export class ProxyMesh {
  private constructor(
    private readonly links: ReadonlyMap<string, TcpProxy>,
    private readonly nodes: readonly NodeAddress[],
  ) {}

  /** The proxies front the nodes' peer listeners. */
  static async start(nodes: readonly NodeAddress[]): Promise<ProxyMesh> {
    const links = new Map<string, TcpProxy>();
    for (const from of nodes)
      for (const to of nodes)
        if (from.id !== to.id) links.set(`${from.id}>${to.id}`, await TcpProxy.start(peerAddressOf(to)));
    return new ProxyMesh(links, nodes);
  }

  link(from: number, to: number): TcpProxy {
    const p = this.links.get(`${from}>${to}`);
    if (p === undefined) throw new Error(`no link ${from}>${to}`);
    return p;
  }

  peersFor(id: number): string {
    return this.nodes
      .map((n) => `${n.id}=${n.id === id ? peerAddressOf(n) : this.link(id, n.id).address}`)
      .join(',');
  }

  /** Sets every link into and out of `id` (both directions) to `mode`. */
  async isolate(id: number, mode: ProxyMode): Promise<void> {
    const touched = [...this.links].filter(([k]) => k.startsWith(`${id}>`) || k.endsWith(`>${id}`));
    await Promise.all(touched.map(([, p]) => p.set(mode)));
  }

  async healAll(): Promise<void> {
    await Promise.all([...this.links.values()].map((p) => p.heal()));
  }

  async close(): Promise<void> {
    await Promise.all([...this.links.values()].map((p) => p.close()));
  }
}
