import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IJob } from 'kubernetes-models/batch/v1/Job';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { configMapMounts, mountedFile, writeMounts } from '../deploy/config-map-mounts.js';
import { findObject, renderOverlay } from '../deploy/rendered-manifests.js';
import { podRuntime, raftlogContainer } from '../deploy/statefulset-pod.js';
import { PlayedPod } from './statefulset-pods.js';

/**
 * The chaos overlay played by local processes: the StatefulSet's pods with their rendered args,
 * env and ConfigMap files, and the chaos Job's argv. What the cluster's network gives is replaced:
 * every DNS name (pods, the client Service, the Toxiproxy Service) becomes a loopback address of a
 * /24 of this run's own, through host aliases, and the links file's listen and upstream addresses
 * follow, since Toxiproxy resolves them itself.
 */
export interface PlayedChaosOverlay {
  readonly pods: readonly PlayedPod[];
  /** NAME=IP,… for every name the pods and the harness dial. */
  readonly hostAliases: string;
  /** Where the Toxiproxy Service's proxies and API listen here. */
  readonly toxiproxyIp: string;
  /** The chaos container's args, with the links file replaced by its loopback translation. */
  readonly jobArgs: readonly string[];
  /** The proxies of that translated links file. */
  readonly links: readonly LinkProxyBody[];
}

export interface LinkProxyBody {
  readonly name: string;
  readonly listen: string;
  readonly upstream: string;
}

export function playChaosOverlay(dir: string): PlayedChaosOverlay {
  const objects = renderOverlay('chaos');
  const sts = findObject<IStatefulSet>(objects, 'StatefulSet', 'raftlog');
  const job = findObject<IJob>(objects, 'Job', 'raftlog-chaos');
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as unknown as IConfigMap[];
  const namespace = sts.metadata?.namespace ?? 'default';
  const port = raftlogContainer(sts).ports![0]!.containerPort;
  const net = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}`;
  const toxiproxyIp = `${net}.200`;
  const runtimes = Array.from({ length: sts.spec?.replicas ?? 1 }, (_, i) => podRuntime(sts, configMaps, i));
  const aliases = new Map<string, string>([
    [`toxiproxy.${namespace}.svc.cluster.local`, toxiproxyIp],
    // A Service sends a connection to some ready pod: the first one will do.
    [`raftlog.${namespace}.svc.cluster.local`, `${net}.2`],
  ]);
  for (const [i, r] of runtimes.entries())
    aliases.set(`${r.name}.${r.env['PEER_DOMAIN']}`, `${net}.${i + 2}`);
  const hostAliases = [...aliases].map(([name, ip]) => `${name}=${ip}`).join(',');
  const podMounts = writeMounts(
    configMapMounts(sts.spec!.template.spec!, raftlogContainer(sts), configMaps),
    join(dir, 'pod-mounts'),
  );
  const pods = runtimes.map((r, i) => new PlayedPod(r, `${net}.${i + 2}`, port, dir, hostAliases, podMounts));
  const container = job.spec!.template.spec!.containers.find((c) => c.name === 'chaos')!;
  const jobMounts = configMapMounts(job.spec!.template.spec!, container, configMaps);
  const linksFile = join(dir, 'links.json');
  const args = container.args ?? [];
  const linksPath = args.find((a) => a.startsWith('--links='))?.slice('--links='.length) ?? '';
  const links = translateLinks(mountedFile(jobMounts, linksPath), aliases, toxiproxyIp);
  writeFileSync(linksFile, JSON.stringify(links));
  return {
    pods,
    links,
    hostAliases,
    toxiproxyIp,
    jobArgs: args.map((a) => (a.startsWith('--links=') ? `--links=${linksFile}` : a)),
  };
}

/** Proxies listen on the Toxiproxy's address and dial the pods by their loopback addresses. */
function translateLinks(
  text: string,
  aliases: ReadonlyMap<string, string>,
  toxiproxyIp: string,
): LinkProxyBody[] {
  const hostPort = (address: string): [string, string] => {
    const colon = address.lastIndexOf(':');
    return [address.slice(0, colon), address.slice(colon + 1)];
  };
  const proxies = JSON.parse(text) as LinkProxyBody[];
  return proxies.map((p) => {
    const [, listenPort] = hostPort(p.listen);
    const [host, upstreamPort] = hostPort(p.upstream);
    const ip = aliases.get(host);
    if (ip === undefined) throw new Error(`${p.name}: no pod is named ${host}`);
    return { ...p, listen: `${toxiproxyIp}:${listenPort}`, upstream: `${ip}:${upstreamPort}` };
  });
}
