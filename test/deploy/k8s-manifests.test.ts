import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IService } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { createCertificates } from '../../src/certs/index.js';
import { configMapMounts, mountedFile, writeMounts } from './config-map-mounts.js';
import { schemaProblems } from './kubernetes-schema.js';
import {
  findObject,
  overlays,
  renderOverlay,
  repoRoot,
  type KubeObject,
  type OverlayName,
} from './rendered-manifests.js';
import { podNodeConfig } from './start-flags.js';
import { peersOf, podRuntime, raftlogContainer } from './statefulset-pod.js';

const port = 9091;
const peerPort = 10091;
const metricsPort = 9100;
const entrypoint = dockerEntrypoint();

describe.each(Object.keys(overlays) as OverlayName[])('overlay %s', (overlay) => {
  const objects = renderOverlay(overlay);

  it('renders objects that all pass the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(0);
    expect(objects.map(schemaProblems).filter((p) => p !== undefined)).toEqual([]);
  });

  it('runs every container non-root, read-only, unprivileged, with fixed resources', () => {
    const pods = objects.flatMap(podSpecOf);
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      expectNonRootPod(pod.securityContext);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) expectLockedDown(c);
    }
  });
});

describe.each([
  ['three-nodes', 3],
  ['five-nodes', 5],
] as const)('the %s StatefulSet', (overlay, replicas) => {
  const objects = renderOverlay(overlay);
  const sts = findObject<IStatefulSet>(objects, 'StatefulSet', 'raftlog');
  const spec = sts.spec!;
  const podSpec = spec.template.spec!;
  const container = raftlogContainer(sts);
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as unknown as IConfigMap[];
  const podLabels = spec.template.metadata?.labels ?? {};
  const namespace = sts.metadata?.namespace ?? 'default';

  it('starts every pod at once, behind a headless Service that publishes unready pods', () => {
    expect(spec.replicas).toBe(replicas);
    expect(spec.podManagementPolicy).toBe('Parallel');
    expect(spec.updateStrategy?.type).toBe('RollingUpdate');
    const headless = findObject<IService>(objects, 'Service', spec.serviceName);
    expect(headless.spec?.clusterIP).toBe('None');
    expect(headless.spec?.publishNotReadyAddresses).toBe(true);
    expect(headless.spec?.selector).toEqual(podLabels);
    const client = findObject<IService>(objects, 'Service', 'raftlog');
    expect(client.spec?.clusterIP).toBeUndefined();
    expect(client.spec?.publishNotReadyAddresses).not.toBe(true);
    expect(client.spec?.ports?.map((p) => p.port)).toEqual([port]);
  });

  it('gives pod i node id i+1, the same peers list of every pod DNS name, and its own name to advertise', () => {
    const pods = Array.from({ length: replicas }, (_, i) => podRuntime(sts, configMaps, i));
    const expected = new Map(
      pods.map((p, i) => [i + 1, `${p.name}.${spec.serviceName}.${namespace}.svc.cluster.local:${peerPort}`]),
    );
    for (const [i, pod] of pods.entries()) {
      for (const text of [...pod.args, ...Object.values(pod.env)]) expect(text).not.toContain('$(');
      expect(peersOf(pod)).toEqual(expected);
      const config = podNodeConfig(pod.args, pod.env);
      expect(config.id).toBe(i + 1);
      expect(config.listen).toBe(`0.0.0.0:${port}`);
      expect(config.peerListen).toBe(`0.0.0.0:${peerPort}`);
      expect(config.advertise).toBe(expected.get(i + 1)!.replace(`:${peerPort}`, `:${port}`));
      expect(config.peers).toEqual(expected);
      expect(config.dataDir).toBe(pod.dataMountPath);
    }
  });

  it('exposes Prometheus metrics on a named port that the pod annotations point scrapers at', () => {
    const metrics = container.ports?.find((p) => p.name === 'metrics');
    expect(metrics?.containerPort).toBe(metricsPort);
    expect(spec.template.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(metricsPort),
      'prometheus.io/path': '/metrics',
    });
    const listen = configMaps.map((c) => c.data?.['RAFTLOG_METRICS_LISTEN']).filter((v) => v !== undefined);
    expect(listen).toEqual([`0.0.0.0:${metricsPort}`]);
  });

  it('treats the peers list as seeds: a pod added by `kubectl scale` keeps the list and joins through it', () => {
    const seeds = peersOf(podRuntime(sts, configMaps, 0));
    for (const ordinal of [replicas, replicas + 1]) {
      const pod = podRuntime(sts, configMaps, ordinal);
      const config = podNodeConfig(pod.args, pod.env);
      expect(config.id).toBe(ordinal + 1);
      expect(config.peers).toEqual(seeds);
      expect(config.peers.has(config.id)).toBe(false);
    }
  });

  it('probes gRPC health: startup and liveness natively, readiness through `raftlog health --ready`', () => {
    expect(container.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['grpc', port],
      ['peer', peerPort],
      ['metrics', metricsPort],
    ]);
    expect(container.startupProbe?.grpc?.port).toBe(port);
    expect(container.livenessProbe?.grpc?.port).toBe(port);
    const ready = container.readinessProbe?.exec?.command ?? [];
    expect(ready.slice(0, entrypoint.length)).toEqual(entrypoint);
    expect(ready).toEqual(expect.arrayContaining(['health', '--ready', `--address=127.0.0.1:${port}`]));
    // Startup may replay a long log: liveness must not kill it meanwhile.
    const startup = container.startupProbe!;
    expect((startup.periodSeconds ?? 10) * (startup.failureThreshold ?? 3)).toBeGreaterThanOrEqual(300);
  });

  it('hands leadership over in preStop, within the grace period', () => {
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    expect(preStop.slice(0, entrypoint.length)).toEqual(entrypoint);
    expect(preStop).toEqual(expect.arrayContaining(['hand-off', `--address=127.0.0.1:${port}`]));
    const timeoutS = Number(preStop.find((a) => a.startsWith('--timeout-ms='))?.split('=')[1]) / 1000;
    // After preStop the node's own stop: a 3 s hand-off, a 5 s gRPC drain, closing storage.
    expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(timeoutS + 15);
  });

  it('spreads pods over machines (required) and zones', () => {
    const anti = podSpec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    expect(anti).toHaveLength(1);
    expect(anti[0]?.topologyKey).toBe('kubernetes.io/hostname');
    expect(anti[0]?.labelSelector?.matchLabels).toEqual(podLabels);
    const spread = podSpec.topologySpreadConstraints ?? [];
    expect(spread.map((s) => [s.topologyKey, s.maxSkew])).toEqual([['topology.kubernetes.io/zone', 1]]);
    expect(spread[0]?.labelSelector?.matchLabels).toEqual(podLabels);
  });

  it('keeps each node on its own volume and asks for guaranteed resources', () => {
    const claims = spec.volumeClaimTemplates ?? [];
    expect(claims.map((c) => c.metadata?.name)).toEqual(['data']);
    expect(claims[0]?.spec?.accessModes).toEqual(['ReadWriteOnce']);
    expect(spec.persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    expect(container.resources?.requests).toEqual(container.resources?.limits);
    expect(container.image).toMatch(/^[^:]+:\d+\.\d+\.\d+$/);
  });

  it('allows one pod down at a time, and lets drains evict an unready pod', () => {
    const pdb = findObject<IPodDisruptionBudget>(objects, 'PodDisruptionBudget');
    expect(pdb.spec?.maxUnavailable).toBe(1);
    expect(pdb.spec?.minAvailable).toBeUndefined();
    expect(pdb.spec?.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
    expect(pdb.spec?.selector?.matchLabels).toEqual(podLabels);
  });

  it('admits only the raftlog pods to the peer port, and labelled clients to the client port', () => {
    const policy = findObject<INetworkPolicy>(objects, 'NetworkPolicy');
    expect(policy.spec?.podSelector.matchLabels).toEqual(podLabels);
    expect(policy.spec?.policyTypes).toEqual(['Ingress']);
    const rules = policy.spec?.ingress ?? [];
    expect(rules.map((r) => r.ports?.map((p) => p.port))).toEqual([[port, peerPort], [port]]);
    const headless = findObject<IService>(objects, 'Service', spec.serviceName);
    expect(headless.spec?.ports?.map((p) => [p.port, p.targetPort])).toEqual([
      [peerPort, 'peer'],
      [port, 'grpc'],
    ]);
    const sources = rules.flatMap((r) => (r.from ?? []).map((f) => f.podSelector?.matchLabels));
    expect(sources).toEqual([podLabels, { 'raftlog.io/client': 'true' }]);
    for (const rule of rules) for (const f of rule.from ?? []) expect(f.namespaceSelector).toBeUndefined();
  });

  it('reads shared settings from the ConfigMap', () => {
    const names = (container.envFrom ?? []).map((e) => e.configMapRef?.name);
    expect(names).toEqual(['raftlog-config']);
    expect(configMaps.map((c) => c.metadata?.name)).toEqual(['raftlog-config']);
  });
});

describe('the chaos overlay', () => {
  const objects = renderOverlay('chaos');
  const job = findObject<IJob>(objects, 'Job', 'raftlog-chaos');
  const pod = job.spec!.template.spec!;
  const chaos = pod.containers.find((c) => c.name === 'chaos')!;
  const sts = findObject<IStatefulSet>(objects, 'StatefulSet', 'raftlog');
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as unknown as IConfigMap[];
  const namespace = sts.metadata?.namespace ?? 'default';
  const toxiproxy = findObject<IService>(objects, 'Service', 'toxiproxy');
  const toxiproxyHost = `toxiproxy.${namespace}.svc.cluster.local`;
  const flag = (name: string): string =>
    chaos.args?.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '';
  const links = JSON.parse(mountedFile(configMapMounts(pod, chaos, configMaps), flag('links'))) as {
    name: string;
    listen: string;
    upstream: string;
  }[];
  const podName = (id: number): string => `raftlog-${id - 1}.raftlog-peers.${namespace}.svc.cluster.local`;

  it('makes every pod dial each peer through the proxy of that link, and itself directly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-chaos-overlay-'));
    try {
      const mounts = writeMounts(
        configMapMounts(sts.spec!.template.spec!, raftlogContainer(sts), configMaps),
        dir,
      );
      const local = (text: string): string =>
        Object.entries(mounts).reduce((t, [path, to]) => t.split(path).join(to), text);
      for (let ordinal = 0; ordinal < 3; ordinal++) {
        const runtime = podRuntime(sts, configMaps, ordinal);
        const config = podNodeConfig(runtime.args.map(local), runtime.env);
        const self = ordinal + 1;
        expect([...config.peers.keys()].sort()).toEqual([1, 2, 3]);
        for (const [id, address] of config.peers) {
          if (id === self) {
            expect(address).toBe(`${podName(id)}:${peerPort}`);
            continue;
          }
          const proxy = links.find((l) => l.name === `n${self}-n${id}`);
          expect(proxy?.upstream).toBe(`${podName(id)}:${peerPort}`);
          const listenPort = Number(proxy?.listen.split(':').at(-1));
          expect(address).toBe(`${toxiproxyHost}:${listenPort}`);
          expect(toxiproxy.spec?.ports?.find((p) => p.name === proxy?.name)?.port).toBe(listenPort);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('has one proxy per directed link, loaded by Toxiproxy at start from the same file', () => {
    expect(links.map((l) => l.name).sort()).toEqual(['n1-n2', 'n1-n3', 'n2-n1', 'n2-n3', 'n3-n1', 'n3-n2']);
    const deployment = findObject<IDeployment>(objects, 'Deployment', 'toxiproxy');
    const container = deployment.spec!.template.spec!.containers[0]!;
    expect(container.image).toMatch(/^ghcr\.io\/shopify\/toxiproxy:\d+\.\d+\.\d+$/);
    const config = container.args?.find((a) => a.startsWith('-config='))?.slice('-config='.length) ?? '';
    const loaded = mountedFile(
      configMapMounts(deployment.spec!.template.spec!, container, configMaps),
      config,
    );
    expect(JSON.parse(loaded)).toEqual(links);
    expect(toxiproxy.spec?.selector).toEqual(deployment.spec?.template.metadata?.labels);
  });

  it('runs the harness once in external mode against the pods, through the Toxiproxy API', () => {
    expect(job.spec?.backoffLimit).toBe(0);
    expect(pod.restartPolicy).toBe('Never');
    expect(chaos.args?.slice(0, 2)).toEqual(['chaos', '--external']);
    expect(flag('bootstrap')).toBe(`raftlog.${namespace}.svc.cluster.local:${port}`);
    const apiPort = toxiproxy.spec?.ports?.find((p) => p.name === 'api')?.port;
    expect(flag('toxiproxy-url')).toBe(`http://${toxiproxyHost}:${apiPort}`);
    expect(pod.initContainers?.map((c) => c.command?.join(' ')).join('\n')).toContain('health --ready');
    const out = flag('out');
    const mount = chaos.volumeMounts?.find((m) => out.startsWith(`${m.mountPath}/`));
    const volume = pod.volumes?.find((v) => v.name === mount?.name);
    const claim = volume?.persistentVolumeClaim?.claimName;
    expect(findObject<KubeObject>(objects, 'PersistentVolumeClaim', claim).metadata.name).toBe(claim);
  });

  it('admits nothing to the Job pod, Toxiproxy to the peer port, the pods to the proxies and the Job to the API', () => {
    const jobPolicy = findObject<INetworkPolicy>(objects, 'NetworkPolicy', 'raftlog-chaos');
    expect(jobPolicy.spec?.podSelector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'chaos' });
    expect(jobPolicy.spec?.ingress ?? []).toEqual([]);
    const labels = (o: { spec?: { template: { metadata?: { labels?: Record<string, string> } } } }) =>
      o.spec?.template.metadata?.labels ?? {};
    const toxiproxyLabels = labels(findObject<IDeployment>(objects, 'Deployment', 'toxiproxy'));
    const admits = (policyName: string, from: Record<string, string>, to: number): boolean =>
      (findObject<INetworkPolicy>(objects, 'NetworkPolicy', policyName).spec?.ingress ?? []).some(
        (rule) =>
          (rule.from ?? []).some((f) =>
            Object.entries(f.podSelector?.matchLabels ?? {}).every(([k, v]) => from[k] === v),
          ) && (rule.ports ?? []).some((p) => p.port === to),
      );
    expect(admits('raftlog', toxiproxyLabels, peerPort)).toBe(true);
    expect(admits('raftlog', labels(job), port)).toBe(true);
    for (const link of links)
      expect(admits('toxiproxy', labels(sts), Number(link.listen.split(':').at(-1)))).toBe(true);
    expect(admits('toxiproxy', labels(job), 8474)).toBe(true);
    expect(admits('toxiproxy', labels(sts), 8474)).toBe(false);
  });
});

type PodSpecLike = {
  securityContext?: IPodSecurityContext;
  containers: IContainer[];
  initContainers?: IContainer[];
};

function podSpecOf(object: KubeObject): PodSpecLike[] {
  if (object.kind === 'StatefulSet') return [(object as unknown as IStatefulSet).spec!.template.spec!];
  if (object.kind === 'Job') return [(object as unknown as IJob).spec!.template.spec!];
  if (object.kind === 'Deployment') return [(object as unknown as IDeployment).spec!.template.spec!];
  return [];
}

function expectNonRootPod(sc: IPodSecurityContext | undefined): void {
  expect(sc?.runAsNonRoot).toBe(true);
  expect(sc?.runAsUser).toBeGreaterThan(0);
  expect(sc?.fsGroup).toBeGreaterThan(0);
  expect(sc?.fsGroupChangePolicy).toBe('OnRootMismatch');
  expect(sc?.seccompProfile?.type).toBe('RuntimeDefault');
}

function expectLockedDown(c: IContainer): void {
  expect(c.securityContext?.runAsNonRoot, c.name).toBe(true);
  expect(c.securityContext?.readOnlyRootFilesystem, c.name).toBe(true);
  expect(c.securityContext?.allowPrivilegeEscalation, c.name).toBe(false);
  expect(c.securityContext?.capabilities?.drop, c.name).toEqual(['ALL']);
  expect(c.securityContext?.privileged, c.name).not.toBe(true);
  expect(c.resources?.limits, c.name).toBeDefined();
  expect(c.resources?.requests, c.name).toEqual(c.resources?.limits);
}

/** The image's ENTRYPOINT: exec probes and hooks must start the same program. */
function dockerEntrypoint(): string[] {
  const dockerfile = readFileSync(join(repoRoot, 'deploy/docker/Dockerfile'), 'utf8');
  const line = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (line === null) throw new Error('the Dockerfile has no exec-form ENTRYPOINT');
  return JSON.parse(line[1]!) as string[];
}

describe('the secure overlay', () => {
  const objects = renderOverlay('secure');
  const sts = findObject<IStatefulSet>(objects, 'StatefulSet', 'raftlog');
  const container = raftlogContainer(sts);
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as unknown as IConfigMap[];
  const mount = container.volumeMounts?.find((m) => m.name === 'tls');
  const tlsDir = mount?.mountPath ?? '';

  it('turns authentication on, the admin password from the raftlog-admin Secret, never in the manifests', () => {
    const env = new Map((container.env ?? []).map((e) => [e.name, e]));
    expect(env.get('RAFTLOG_AUTH')?.value).toBe('required');
    expect(env.get('RAFTLOG_SUPERUSERS')?.value).toBe('User:admin');
    for (const name of ['RAFTLOG_BOOTSTRAP_ADMIN_PASSWORD', 'RAFTLOG_PASSWORD']) {
      expect(env.get(name)?.value).toBeUndefined();
      expect(env.get(name)?.valueFrom?.secretKeyRef).toEqual({ name: 'raftlog-admin', key: 'password' });
    }
  });

  it('mounts the raftlog-tls Secret read-only, readable by the pod group only', () => {
    expect(mount?.readOnly).toBe(true);
    const volume = sts.spec?.template.spec?.volumes?.find((v) => v.name === 'tls');
    expect(volume?.secret).toEqual({ secretName: 'raftlog-tls', defaultMode: 0o440 });
  });

  it("gives each pod its own certificate from `raftlog certs create`, which the node's settings accept", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'raftlog-secure-'));
    try {
      const certs = await createCertificates({
        outDir: join(dir, 'certs'),
        nodes: 3,
        kubernetesNamespace: 'raftlog',
      });
      // The Secret's keys, as deploy/README.md's `kubectl create secret` names them.
      copyFileSync(certs.ca, join(dir, 'ca.crt'));
      for (const [id, pair] of certs.nodes) {
        copyFileSync(pair.cert, join(dir, `raftlog-${id - 1}.crt`));
        copyFileSync(pair.key, join(dir, `raftlog-${id - 1}.key`));
      }
      for (let ordinal = 0; ordinal < 3; ordinal++) {
        const pod = podRuntime(sts, configMaps, ordinal);
        const env = Object.fromEntries(
          Object.entries(pod.env).map(([k, v]) => [k, v.split(tlsDir).join(dir)]),
        );
        const config = podNodeConfig(pod.args, env);
        expect(config).toMatchObject({
          tlsCert: join(dir, `raftlog-${ordinal}.crt`),
          tlsKey: join(dir, `raftlog-${ordinal}.key`),
          tlsCa: join(dir, 'ca.crt'),
          tlsClientAuth: 'request',
          peerTlsCert: join(dir, `raftlog-${ordinal}.crt`),
          peerTlsCa: join(dir, 'ca.crt'),
        });
        const names = new X509Certificate(readFileSync(config.tlsCert!)).subjectAltName ?? '';
        expect(names).toContain(`URI:raftlog://node/${ordinal + 1}`);
        for (const address of [config.advertise, config.peers.get(ordinal + 1)!]) {
          expect(names).toContain(`DNS:${address.slice(0, address.lastIndexOf(':'))}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('probes through `raftlog health` over TLS (the native gRPC probe has no TLS), on the same ports', () => {
    for (const probe of [container.startupProbe, container.livenessProbe]) {
      expect(probe?.grpc).toBeUndefined();
      expect(probe?.exec?.command).toEqual([
        ...entrypoint,
        'health',
        `--address=127.0.0.1:${port}`,
        '--timeout-ms=4000',
      ]);
    }
    expect(container.ports?.map((p) => [p.name, p.containerPort])).toEqual([
      ['grpc', port],
      ['peer', peerPort],
      ['metrics', metricsPort],
    ]);
  });
});
