/**
 * Names this process dials at other addresses, like /etc/hosts for raftlog's own gRPC channels. A node
 * started with Kubernetes pod DNS names as peers can then run where no cluster DNS answers (a test on
 * loopback, a bare-metal host without those records) while every setting stays as the pods get it.
 * Process-wide on purpose: every channel of a node (peers, forwarding, identity checks) must agree.
 */
let aliases: ReadonlyMap<string, string> = new Map();

export function setHostAliases(map: ReadonlyMap<string, string>): void {
  aliases = new Map(map);
}

export interface DialTarget {
  /** What grpc-js connects to. */
  readonly target: string;
  /** The name the peer is addressed by (HTTP/2 :authority), kept when the host is rewritten. */
  readonly authority: string | undefined;
}

/** `name:port` → `ip:port` when the name has an alias; any other address is dialed as given. */
export function dialTarget(address: string): DialTarget {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return { target: address, authority: undefined };
  const host = address.slice(0, colon);
  const alias = aliases.get(host.toLowerCase());
  if (alias === undefined) return { target: address, authority: undefined };
  return { target: `${alias}${address.slice(colon)}`, authority: address };
}

/** "a.example=127.0.0.2,b.example=127.0.0.3" → Map; problems name every bad entry. */
export function parseHostAliases(value: string, problems: string[]): Map<string, string> {
  const map = new Map<string, string>();
  if (value.trim() === '') return map;
  for (const part of value.split(',')) {
    const match = /^\s*([A-Za-z0-9.-]+)\s*=\s*(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])\s*$/.exec(part);
    if (match === null) {
      problems.push(`hostAliases: "${part}" is not NAME=IP`);
      continue;
    }
    map.set(match[1]!.toLowerCase(), match[2]!);
  }
  return map;
}

/**
 * Channel options that keep the name when an alias rewrote the host: the HTTP/2 authority, and the
 * name a TLS server certificate is checked against (else it would be checked against the IP).
 */
export function authorityOptions(authority: string | undefined): Record<string, string> {
  if (authority === undefined) return {};
  const host = authority.slice(0, authority.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1');
  return { 'grpc.default_authority': authority, 'grpc.ssl_target_name_override': host };
}
