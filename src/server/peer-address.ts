/** The peer port when only `--listen` is given: the client port plus this, on the same host. */
export const peerPortOffset = 1000;

/**
 * `127.0.0.1:9091` → `127.0.0.1:10091`. Port 0 (any free port, in tests) stays 0; a port with no room
 * above it is left for the caller's validation to report.
 */
export function defaultPeerAddress(listen: string): string {
  const at = listen.lastIndexOf(':');
  const port = Number(listen.slice(at + 1));
  if (at <= 0 || !Number.isInteger(port)) return listen;
  return `${listen.slice(0, at)}:${port === 0 ? 0 : port + peerPortOffset}`;
}

/**
 * Where other nodes dial this node's peer listener, as it registers with the controller: its own
 * entry in `--peers` when it has one (what the operator wrote), else the peer listener, with the
 * advertised host in place of a wildcard one (0.0.0.0 or [::] is no address to dial).
 */
export function peerAdvertiseAddress(config: {
  readonly id: number;
  readonly peers: ReadonlyMap<number, string>;
  readonly peerListen: string;
  readonly advertise: string;
}): string {
  const own = config.peers.get(config.id);
  if (own !== undefined) return own;
  const at = config.peerListen.lastIndexOf(':');
  const host = config.peerListen.slice(0, at);
  if (host !== '0.0.0.0' && host !== '[::]' && host !== '::') return config.peerListen;
  return `${config.advertise.slice(0, config.advertise.lastIndexOf(':'))}${config.peerListen.slice(at)}`;
}
