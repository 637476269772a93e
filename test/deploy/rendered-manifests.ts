import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const k8sDir = join(repoRoot, 'deploy/k8s');

/** Every overlay and the StatefulSet size it deploys. */
export const overlays = { 'three-nodes': 3, 'five-nodes': 5, chaos: 3, secure: 3 } as const;
export type OverlayName = keyof typeof overlays;

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

const kubectlCandidates = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'];

/** kubectl on PATH or at a usual place; undefined when absent. */
export function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':').filter((d) => d !== '')) {
    if (existsSync(join(dir, 'kubectl'))) return join(dir, 'kubectl');
  }
  return kubectlCandidates.find((p) => existsSync(p));
}

/** `kubectl kustomize deploy/k8s/overlays/NAME`, parsed; throws a message saying what to install. */
export function renderOverlay(name: OverlayName): KubeObject[] {
  const kubectl = findKubectl();
  if (kubectl === undefined) {
    throw new Error(
      'kubectl is not installed: the manifests are rendered with `kubectl kustomize` (.ci/run installs it; ' +
        'on Debian: apt-get install kubernetes-client, or the pinned binary from dl.k8s.io)',
    );
  }
  const yaml = execFileSync(kubectl, ['kustomize', join(k8sDir, 'overlays', name)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  return parseAllDocuments(yaml)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${name}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as KubeObject | null;
    })
    .filter((o): o is KubeObject => o !== null);
}

export function findObject<T>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (found.length !== 1)
    throw new Error(`expected one ${kind}${name === undefined ? '' : ` ${name}`}, found ${found.length}`);
  return found[0] as unknown as T;
}
