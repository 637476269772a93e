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
