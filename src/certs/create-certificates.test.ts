import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCertificates } from './create-certificates.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'raftlog-certs-'));
  dirs.push(dir);
  return join(dir, 'certs');
}

describe('raftlog certs create', () => {
  it('signs a certificate per node (its URI, loopback and pod names) and per client with one CA', async () => {
    const files = await createCertificates({
      outDir: tempDir(),
      nodes: 3,
      hosts: ['10.0.0.7', 'broker.example'],
      kubernetesNamespace: 'raftlog',
      clients: ['alice'],
    });
    const ca = new X509Certificate(readFileSync(files.ca));
    expect(ca.ca).toBe(true);
    const node2 = new X509Certificate(readFileSync(files.nodes.get(2)!.cert));
    expect(node2.verify(ca.publicKey)).toBe(true);
    expect(node2.subject).toBe('CN=node-2');
    const sans = node2.subjectAltName?.split(', ') ?? [];
    expect(sans).toEqual(
      expect.arrayContaining([
        'URI:raftlog://node/2',
        'DNS:localhost',
        'IP Address:127.0.0.1',
        'IP Address:10.0.0.7',
        'DNS:broker.example',
        'DNS:raftlog-1.raftlog-peers.raftlog.svc.cluster.local',
        'DNS:raftlog.raftlog.svc',
      ]),
    );
    expect(sans.filter((n) => n.startsWith('URI:'))).toEqual(['URI:raftlog://node/2']);
    const alice = new X509Certificate(readFileSync(files.clients.get('alice')!.cert));
    expect([alice.subject, alice.verify(ca.publicKey), alice.subjectAltName]).toEqual([
      'CN=alice',
      true,
      undefined,
    ]);
    expect(statSync(files.clients.get('alice')!.key).mode & 0o077).toBe(0);
  });

  it('refuses a directory that already holds a CA, and bad names', async () => {
    const outDir = tempDir();
    await createCertificates({ outDir, nodes: 1 });
    await expect(createCertificates({ outDir, nodes: 1 })).rejects.toThrow(/already holds a CA/);
    await expect(createCertificates({ outDir: tempDir(), nodes: 1, clients: ['a,b'] })).rejects.toThrow(
      /client name "a,b"/,
    );
  });
});
