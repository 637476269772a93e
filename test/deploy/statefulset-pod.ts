import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';

/** What the kubelet gives one pod's raftlog container: its argv after the image entrypoint, and env. */
export interface PodRuntime {
  readonly name: string;
  readonly namespace: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Exec commands run in the container (not expanded: the kubelet expands only args and env). */
  readonly preStop: readonly string[];
  readonly readiness: readonly string[];
  /** Where the pod's PersistentVolumeClaim is mounted. */
  readonly dataMountPath: string;
}

export function raftlogContainer(sts: IStatefulSet): IContainer {
  const container = sts.spec?.template.spec?.containers.find((c) => c.name === 'raftlog');
  if (container === undefined) throw new Error('the StatefulSet has no raftlog container');
  return container;
}

/**
 * The container of pod `ordinal` as the kubelet starts it: envFrom ConfigMaps first, then env in
 * order (a $(VAR) expands only from variables defined before it, otherwise it stays as written),
 * downward-API fields from the pod, then $(VAR) in args from the whole environment.
 */
export function podRuntime(
  sts: IStatefulSet,
  configMaps: readonly IConfigMap[],
  ordinal: number,
): PodRuntime {
  const name = `${sts.metadata?.name}-${ordinal}`;
  const namespace = sts.metadata?.namespace ?? 'default';
  const container = raftlogContainer(sts);
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const cm = configMaps.find((c) => c.metadata?.name === source.configMapRef?.name);
    if (cm === undefined) throw new Error(`envFrom names a missing ConfigMap ${source.configMapRef?.name}`);
    Object.assign(env, cm.data ?? {});
  }
  const fields: Record<string, string> = { 'metadata.name': name, 'metadata.namespace': namespace };
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      const value = fields[field];
      if (value === undefined) throw new Error(`env ${e.name}: downward field ${field} is not emulated`);
      env[e.name] = value;
    } else env[e.name] = expand(e.value ?? '', env);
  }
  const mount = container.volumeMounts?.find((m) => m.name === 'data');
  if (mount === undefined) throw new Error('the raftlog container mounts no data volume');
  return {
    name,
    namespace,
    args: (container.args ?? []).map((a) => expand(a, env)),
    env,
    preStop: container.lifecycle?.preStop?.exec?.command ?? [],
    readiness: container.readinessProbe?.exec?.command ?? [],
    dataMountPath: mount.mountPath,
  };
}

/** Kubernetes' $(VAR) expansion: known names are replaced, unknown ones kept, $$ escapes. */
export function expand(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string | undefined) =>
    name === undefined ? '$' : (env[name] ?? whole),
  );
}

/** The `--peers` list of a pod: RAFTLOG_PEERS or the --peers flag, as id → address. */
export function peersOf(pod: PodRuntime): Map<number, string> {
  const flag = pod.args.find((a) => a.startsWith('--peers='))?.slice('--peers='.length);
  const value = flag ?? pod.env['RAFTLOG_PEERS'] ?? '';
  return new Map(
    value
      .split(',')
      .filter((p) => p !== '')
      .map((p) => {
        const [id, address] = p.split('=');
        return [Number(id), address ?? ''] as const;
      }),
  );
}
