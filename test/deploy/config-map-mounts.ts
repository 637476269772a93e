import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/** The files a container sees under a mounted ConfigMap volume: one per data key. */
export interface ConfigMapMount {
  readonly mountPath: string;
  readonly files: Readonly<Record<string, string>>;
}

/** Every ConfigMap volume the container mounts, with the files the kubelet puts there. */
export function configMapMounts(
  pod: IPodSpec,
  container: IContainer,
  configMaps: readonly IConfigMap[],
): ConfigMapMount[] {
  return (container.volumeMounts ?? []).flatMap((mount) => {
    const name = pod.volumes?.find((v) => v.name === mount.name)?.configMap?.name;
    if (name === undefined) return [];
    const map = configMaps.find((c) => c.metadata?.name === name);
    if (map === undefined) throw new Error(`volume ${mount.name} names a missing ConfigMap ${name}`);
    return [{ mountPath: mount.mountPath, files: map.data ?? {} }];
  });
}

/** The file at `path` inside one of the mounts; throws when no mount holds it. */
export function mountedFile(mounts: readonly ConfigMapMount[], path: string): string {
  for (const m of mounts) {
    const file = m.files[path.slice(m.mountPath.length + 1)];
    if (path.startsWith(`${m.mountPath}/`) && file !== undefined) return file;
  }
  throw new Error(`no mounted ConfigMap holds ${path}`);
}

/** Writes each mount's files under `dir` and answers mount path → local directory. */
export function writeMounts(mounts: readonly ConfigMapMount[], dir: string): Record<string, string> {
  const local: Record<string, string> = {};
  for (const [i, m] of mounts.entries()) {
    const to = join(dir, `mount-${i}`);
    mkdirSync(to, { recursive: true });
    for (const [file, text] of Object.entries(m.files)) writeFileSync(join(to, file), text);
    local[m.mountPath] = to;
  }
  return local;
}
