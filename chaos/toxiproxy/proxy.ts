import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Prng } from '../../lib/index.js';
import { formatAddress, parseHostPort, parseListen } from './address.js';
import { ApiError } from './api-error.js';
import { Connection, streams, type Toxic } from './link/index.js';
import type { ProxySettings } from './proxy-body.js';

export interface ProxyEnv {
  readonly prng: Prng;
  /** Bytes one direction of a connection may hold before its source is paused. */
  readonly linkBytesMax: number;
}

export interface ToxicJson {
  readonly attributes: Readonly<Record<string, number>>;
  readonly name: string;
  readonly type: string;
  readonly stream: string;
  readonly toxicity: number;
}

export interface ProxyJson {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
  readonly enabled: boolean;
  readonly toxics: readonly ToxicJson[];
}

/**
 * One proxy: a listener and, per accepted client, a connection to the upstream joined through the
 * proxy's toxics. Toxic changes apply to open connections at once.
 */
export class Proxy {
  private settings: ProxySettings;
  private readonly toxics: Toxic[] = [];
  private listener: Server | undefined;
  private readonly connections = new Set<Connection>();
  /** Clients whose upstream connection is still being opened. */
  private readonly dialing = new Set<readonly [Socket, Socket]>();

  constructor(
    readonly name: string,
    listen: string,
    upstream: string,
    private readonly env: ProxyEnv,
  ) {
    this.settings = { listen, upstream, enabled: false };
  }

  get listen(): string {
    return this.settings.listen;
  }

  get upstream(): string {
    return this.settings.upstream;
  }

  get enabled(): boolean {
    return this.settings.enabled;
  }

  /** Listens on `listen`, which then reads as the bound address (port 0 becomes the real port). */
  async start(): Promise<void> {
    if (this.enabled) return;
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) =>
      this.accept(client),
    );
    await listenOn(server, this.listen);
    // Accept failures (EMFILE...) must not end the process; the listener keeps going.
    server.on('error', () => undefined);
    this.listener = server;
    this.settings = { ...this.settings, listen: formatAddress(server.address()), enabled: true };
  }

  /** Closes the listener and every connection; `listen` keeps the bound address for a restart. */
  async stop(): Promise<void> {
    const server = this.listener;
    if (!this.enabled || server === undefined) return;
    this.listener = undefined;
    this.settings = { ...this.settings, enabled: false };
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const [client, upstream] of this.dialing) {
      client.destroy();
      upstream.destroy();
    }
    this.dialing.clear();
    for (const connection of [...this.connections]) connection.close();
    await closed;
  }

  /** As Toxiproxy: a new address restarts the proxy, then `enabled` starts or stops it. */
  async update(next: ProxySettings): Promise<void> {
    if (next.listen !== this.listen || next.upstream !== this.upstream) {
      await this.stop();
      this.settings = { ...this.settings, listen: next.listen, upstream: next.upstream };
    }
    if (next.enabled && !this.enabled) await this.start();
    if (!next.enabled && this.enabled) await this.stop();
  }

  /** Upstream toxics first, then downstream, each in the order they were added. */
  toxicList(): Toxic[] {
    return streams.flatMap((stream) => this.toxics.filter((toxic) => toxic.stream === stream));
  }

  findToxic(name: string): Toxic | undefined {
    return this.toxics.find((toxic) => toxic.name === name);
  }

  addToxic(toxic: Toxic): void {
    this.toxics.push(toxic);
    for (const connection of [...this.connections]) connection.addToxic(toxic);
  }

  updateToxic(toxic: Toxic): void {
    const at = this.toxics.findIndex((existing) => existing.name === toxic.name);
    if (at < 0) return;
    this.toxics[at] = toxic;
    for (const connection of [...this.connections]) connection.updateToxic(toxic);
  }

  removeToxic(name: string): void {
    const at = this.toxics.findIndex((existing) => existing.name === name);
    const [toxic] = this.toxics.splice(at, 1);
    if (at < 0 || toxic === undefined) return;
    for (const connection of [...this.connections]) connection.removeToxic(toxic);
  }

  removeAllToxics(): void {
    for (const toxic of this.toxicList()) this.removeToxic(toxic.name);
  }

  toJSON(): ProxyJson {
    const { listen, upstream, enabled } = this.settings;
    return { name: this.name, listen, upstream, enabled, toxics: this.toxicList().map(toxicJson) };
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    const { host, port } = parseHostPort(this.upstream) ?? { host: '', port: 0 };
    const upstream = connect({ host: host === '' ? 'localhost' : host, port, allowHalfOpen: true });
    upstream.on('error', () => undefined);
    const pair = [client, upstream] as const;
    const abandon = (): void => {
      this.dialing.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    this.dialing.add(pair);
    // As Toxiproxy: when the upstream cannot be reached, the client is closed.
    upstream.once('error', abandon);
    client.once('close', abandon);
    upstream.once('connect', () => {
      upstream.off('error', abandon);
      client.off('close', abandon);
      this.dialing.delete(pair);
      this.join(client, upstream);
    });
  }

  private join(client: Socket, upstream: Socket): void {
    const connection = new Connection(client, upstream, this.toxics, {
      prng: this.env.prng,
      bytesMax: this.env.linkBytesMax,
      onClosed: (closed) => this.connections.delete(closed),
    });
    this.connections.add(connection);
  }
}

function toxicJson(toxic: Toxic): ToxicJson {
  const { attributes, name, type, stream, toxicity } = toxic;
  return { attributes, name, type, stream, toxicity };
}

async function listenOn(server: Server, listen: string): Promise<void> {
  const { host, port } = parseListen(listen) ?? { host: '', port: 0 };
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new ApiError(`listen tcp ${listen}: ${error.message}`, 500));
    server.once('error', onError);
    server.listen({ port, ...(host === '' ? {} : { host }) }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
