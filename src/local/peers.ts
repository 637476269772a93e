export interface NodeAddress {
  readonly id: number;
  readonly address: string;
}

/** The `--peers` value every node of a cluster gets: "1=127.0.0.1:9091,2=127.0.0.1:9092". */
export function peersArg(nodes: readonly NodeAddress[]): string {
  return nodes.map((n) => `${n.id}=${n.address}`).join(',');
}

/** Node ids 1..count on consecutive ports from basePort. */
export function clusterLayout(count: number, host: string, basePort: number): NodeAddress[] {
  if (!Number.isSafeInteger(count) || count < 1) throw new Error(`nodes must be at least 1, got ${count}`);
  if (!Number.isSafeInteger(basePort) || basePort < 1 || basePort + count - 1 > 65535) {
    throw new Error(`ports ${basePort}..${basePort + count - 1} are not all valid`);
  }
  return Array.from({ length: count }, (_, i) => ({
    id: i + 1,
    address: `${hostPart(host)}:${basePort + i}`,
  }));
}

/** An IPv6 literal needs brackets in HOST:PORT. */
function hostPart(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
