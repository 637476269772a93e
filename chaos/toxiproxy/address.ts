import type { AddressInfo } from 'node:net';

export interface HostPort {
  /** Empty for all interfaces (when listening) or localhost (when dialing), as in Go. */
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port`; undefined when it is none of them. */
export function parseHostPort(address: string): HostPort | undefined {
  const colon = address.lastIndexOf(':');
  if (colon < 0) return undefined;
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const portText = address.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65_535) return undefined;
  if (host.includes(':') && !address.startsWith('[')) return undefined;
  return { host, port };
}

/** A listen address: as `parseHostPort`, and the empty string means any interface, any port. */
export function parseListen(address: string): HostPort | undefined {
  return address === '' ? { host: '', port: 0 } : parseHostPort(address);
}

/** The bound address as Go prints it: `127.0.0.1:8474`, `[::1]:8474`. */
export function formatAddress(address: AddressInfo | string | null): string {
  if (address === null || typeof address === 'string') return String(address);
  return formatHostPort(address.address, address.port);
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
