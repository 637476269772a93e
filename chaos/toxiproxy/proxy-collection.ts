import { apiErrors } from './api-error.js';
import type { Toxic } from './link/index.js';
import { Proxy, type ProxyEnv, type ProxyJson } from './proxy.js';
import { parsePopulate, parseProxyCreate, parseProxyUpdate, type ProxyInput } from './proxy-body.js';
import { parseToxicHeader, parseToxicUpdate, toxicFromHeader } from './toxic-body.js';

/** The proxies by name, and every operation of the API on them. */
export class ProxyCollection {
  private readonly proxies = new Map<string, Proxy>();

  constructor(private readonly env: ProxyEnv) {}

  get(name: string): Proxy {
    const proxy = this.proxies.get(name);
    if (proxy === undefined) throw apiErrors.proxyNotFound();
    return proxy;
  }

  toJSON(): Record<string, ProxyJson> {
    const all: Record<string, ProxyJson> = {};
    for (const [name, proxy] of this.proxies) all[name] = proxy.toJSON();
    return all;
  }

  async create(body: unknown): Promise<Proxy> {
    const input = parseProxyCreate(body);
    if (this.proxies.has(input.name)) throw apiErrors.proxyAlreadyExists();
    const proxy = await this.started(input);
    this.proxies.set(input.name, proxy);
    return proxy;
  }

  /**
   * Creates or replaces each proxy in turn; one with the same name, listen and upstream is kept as
   * it is. A failure leaves the proxies before it applied, as in Toxiproxy.
   */
  async populate(body: unknown): Promise<Proxy[]> {
    const result: Proxy[] = [];
    for (const input of parsePopulate(body)) {
      const existing = this.proxies.get(input.name);
      if (existing?.listen === input.listen && existing.upstream === input.upstream) {
        result.push(existing);
        continue;
      }
      await existing?.stop();
      const proxy = await this.started(input);
      this.proxies.set(input.name, proxy);
      result.push(proxy);
    }
    return result;
  }

  async update(name: string, body: unknown): Promise<Proxy> {
    const proxy = this.get(name);
    await proxy.update(parseProxyUpdate(body, proxy.toJSON()));
    return proxy;
  }

  async remove(name: string): Promise<void> {
    await this.get(name).stop();
    this.proxies.delete(name);
  }

  /** Enables every proxy and removes every toxic. */
  async reset(): Promise<void> {
    for (const proxy of this.proxies.values()) {
      await proxy.start();
      proxy.removeAllToxics();
    }
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.proxies.values()].map((proxy) => proxy.stop()));
    this.proxies.clear();
  }

  getToxic(proxyName: string, toxicName: string): Toxic {
    const toxic = this.get(proxyName).findToxic(toxicName);
    if (toxic === undefined) throw apiErrors.toxicNotFound();
    return toxic;
  }

  addToxic(proxyName: string, body: unknown): Toxic {
    const proxy = this.get(proxyName);
    const header = parseToxicHeader(body);
    if (proxy.findToxic(header.name) !== undefined) throw apiErrors.toxicAlreadyExists();
    const toxic = toxicFromHeader(header);
    proxy.addToxic(toxic);
    return toxic;
  }

  updateToxic(proxyName: string, toxicName: string, body: unknown): Toxic {
    const toxic = parseToxicUpdate(this.getToxic(proxyName, toxicName), body);
    this.get(proxyName).updateToxic(toxic);
    return toxic;
  }

  removeToxic(proxyName: string, toxicName: string): void {
    this.getToxic(proxyName, toxicName);
    this.get(proxyName).removeToxic(toxicName);
  }

  private async started(input: ProxyInput): Promise<Proxy> {
    const proxy = new Proxy(input.name, input.listen, input.upstream, this.env);
    if (input.enabled) await proxy.start();
    return proxy;
  }
}
