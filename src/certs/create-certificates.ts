import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { nodeCertificateUri } from '../../cluster/transport/index.js';
import { RaftlogError } from '../../lib/index.js';
import { CertificateAuthority, type IssuedPem } from './certificate-authority.js';

export interface CertificatesOptions {
  readonly outDir: string;
  /** Node ids 1..nodes get a certificate each. */
  readonly nodes: number;
  /** Host names or IP addresses every node certificate is valid for (besides localhost, 127.0.0.1). */
  readonly hosts?: readonly string[];
  /**
   * The namespace of the Kubernetes overlay: node i is also valid for its pod's DNS name under the
   * headless Service (raftlog-<i-1>.raftlog-peers.<ns>.svc.cluster.local) and the client Service's.
   */
  readonly kubernetesNamespace?: string;
  /** Client certificates, one per name (the principal User:<name>). */
  readonly clients?: readonly string[];
  readonly validDays?: number;
}

/** Where the files went. */
export interface CertificateFiles {
  readonly ca: string;
  readonly nodes: ReadonlyMap<number, TlsFilePair>;
  readonly clients: ReadonlyMap<string, TlsFilePair>;
}

export interface TlsFilePair {
  readonly cert: string;
  readonly key: string;
}

export const nodesMax = 1_000;
const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * A CA (ca.crt, ca.key), a certificate per node (node-<id>.crt/.key: CN node-<id>, the URI SAN
 * raftlog://node/<id> the peer listener checks, usable as server and client) and per client
 * (client-<name>.crt/.key, CN <name>). Refuses a directory that already holds a CA: new keys would
 * silently orphan every certificate it signed.
 */
export async function createCertificates(options: CertificatesOptions): Promise<CertificateFiles> {
  validate(options);
  const out = options.outDir;
  if (existsSync(join(out, 'ca.crt'))) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${out} already holds a CA (ca.crt); choose an empty directory`,
    );
  }
  await mkdir(out, { recursive: true, mode: 0o700 });
  const ca = await CertificateAuthority.create('raftlog CA', options.validDays ?? 365);
  await writePair(out, 'ca', await ca.pem());
  const nodes = new Map<number, TlsFilePair>();
  for (let id = 1; id <= options.nodes; id++) {
    const names = nodeNames(id, options);
    const pem = await ca.issue({
      commonName: `node-${id}`,
      ...names,
      uris: [nodeCertificateUri(id)],
      usages: ['server', 'client'],
    });
    nodes.set(id, await writePair(out, `node-${id}`, pem));
  }
  const clients = new Map<string, TlsFilePair>();
  for (const name of options.clients ?? []) {
    clients.set(
      name,
      await writePair(out, `client-${name}`, await ca.issue({ commonName: name, usages: ['client'] })),
    );
  }
  return { ca: join(out, 'ca.crt'), nodes, clients };
}

function nodeNames(id: number, options: CertificatesOptions) {
  const hosts = ['localhost', '127.0.0.1', ...(options.hosts ?? [])];
  const ns = options.kubernetesNamespace;
  if (ns !== undefined) {
    hosts.push(
      `raftlog-${id - 1}.raftlog-peers.${ns}.svc.cluster.local`,
      `raftlog-${id - 1}.raftlog-peers.${ns}.svc`,
    );
    hosts.push(`raftlog.${ns}.svc.cluster.local`, `raftlog.${ns}.svc`, 'raftlog');
  }
  const unique = [...new Set(hosts)];
  return { dnsNames: unique.filter((h) => isIP(h) === 0), ipAddresses: unique.filter((h) => isIP(h) !== 0) };
}

async function writePair(dir: string, name: string, pem: IssuedPem): Promise<TlsFilePair> {
  const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
  await writeFile(pair.cert, pem.cert, { mode: 0o644 });
  await writeFile(pair.key, pem.key, { mode: 0o600 });
  return pair;
}

function validate(options: CertificatesOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.nodes) || options.nodes < 0 || options.nodes > nodesMax) {
    problems.push(`nodes must be an integer in [0, ${nodesMax}], got ${options.nodes}`);
  }
  for (const host of options.hosts ?? []) {
    if (isIP(host) === 0 && !/^[A-Za-z0-9*]([A-Za-z0-9.-]{0,252})$/.test(host))
      problems.push(`"${host}" is not a host name or IP address`);
  }
  const ns = options.kubernetesNamespace;
  if (ns !== undefined && !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
    problems.push(`"${ns}" is not a Kubernetes namespace`);
  for (const name of options.clients ?? []) {
    if (!namePattern.test(name)) problems.push(`client name "${name}" must be 1-64 of A-Z a-z 0-9 . _ -`);
  }
  const days = options.validDays ?? 365;
  if (!Number.isSafeInteger(days) || days < 1 || days > 3650)
    problems.push(`validDays must be in [1, 3650], got ${days}`);
  if (problems.length > 0) throw new RaftlogError('INVALID_ARGUMENT', problems.join('; '));
}
