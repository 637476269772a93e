import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { afterAll, describe, expect, it } from 'vitest';
import { parseHostAliases, setHostAliases } from '../../rpc/index.js';
import { Admin, Consumer, Producer, RaftlogClient } from '../../src/client/index.js';
import { findObject, renderOverlay } from '../deploy/rendered-manifests.js';
import { peersOf, podRuntime, raftlogContainer } from '../deploy/statefulset-pod.js';
import { sleep } from './harness/index.js';
import { PlayedPod } from './statefulset-pods.js';

const topic = 'rolled';
const partitions = 3;
const sendEveryMs = 5;
const healthTimeoutMs = 60_000;
const readyTimeoutMs = 60_000;
// The kubelet gives the probe 5 s to run the image's built JavaScript; here each probe starts a fresh
// process that compiles the CLI through tsx, which alone took 6–10 s on this 2-core machine under a
// load average of 10 (the probes then answered READY and were killed for it, never passing).
const probeTimeoutMs = 30_000;

interface Sent {
  readonly value: string;
  readonly partition: number;
  offset?: number;
  error?: string;
}

describe('the rendered 3-node StatefulSet, played by local processes', () => {
  const objects = renderOverlay('three-nodes');
  const sts = findObject<IStatefulSet>(objects, 'StatefulSet', 'raftlog');
  const configMaps = objects.filter((o) => o.kind === 'ConfigMap') as unknown as IConfigMap[];
  const port = raftlogContainer(sts).ports![0]!.containerPort;
  const spec = sts.spec!;
  const graceMs = (spec.template.spec?.terminationGracePeriodSeconds ?? 30) * 1000;
  const minReadyMs = (spec.minReadySeconds ?? 0) * 1000;
  const runtimes = Array.from({ length: spec.replicas ?? 1 }, (_, i) => podRuntime(sts, configMaps, i));
  // A loopback /24 of its own per run, so parallel runs on one machine never share a port.
  const net = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 256)}`;
  const dnsName = (address: string): string => address.slice(0, address.lastIndexOf(':'));
  const peers = peersOf(runtimes[0]!);
  const aliases = [...peers].map(([id, address]) => `${dnsName(address)}=${net}.${id + 1}`).join(',');
  const dir = mkdtempSync(join(tmpdir(), 'raftlog-sts-'));
  const pods = runtimes.map((r, i) => new PlayedPod(r, `${net}.${i + 2}`, port, dir, aliases));

  afterAll(() => {
    for (const p of pods) p.kill();
    setHostAliases(new Map());
    rmSync(dir, { recursive: true, force: true });
  });

  it('forms, serves, and rolls pod by pod through preStop and SIGTERM with no failed write', async () => {
    // Only what a pod's own network namespace and volume provide differs from the manifest.
    for (const p of pods) {
      const changed = p.args.filter((a, i) => a !== p.pod.args[i]);
      expect(changed).toEqual([
        `--listen=${p.address}`,
        expect.stringMatching(new RegExp(`^--peer-listen=${p.ip.replace(/\./g, '\\.')}:\\d+$`)),
        expect.stringMatching(/^--data=.*\/data$/),
      ]);
    }
    // This process is a client inside the cluster: it reaches the pods by their DNS names too.
    setHostAliases(parseHostAliases(aliases, []));
    await Promise.all(pods.map((p) => p.start(healthTimeoutMs)));
    await Promise.all(pods.map((p) => waitReady(p)));

    // `peers` names the peer listeners; clients use the same pod names at the client port.
    const clientAddresses = [...peers.values()].map((a) => `${dnsName(a)}:${port}`);
    const client = new RaftlogClient({ bootstrap: clientAddresses });
    const admin = new Admin(client);
    await admin.createTopic({ name: topic, partitions, replicas: 3 });
    const status = await admin.clusterStatus();
    expect(status.nodes.map((n) => n.address).sort()).toEqual(clientAddresses.sort());

    const producer = new Producer(client, { acks: 'quorum', lingerMs: 2, deliveryTimeoutMs: 60_000 });
    const sent: Sent[] = [];
    const outcomes: Promise<void>[] = [];
    const stop = new AbortController();
    const writing = (async () => {
      for (let n = 0; !stop.signal.aborted; n++) {
        const s: Sent = { value: `v${n}`, partition: n % partitions };
        sent.push(s);
        outcomes.push(
          producer.send({ topic, partition: s.partition, value: s.value }).then(
            (ack) => void (s.offset = ack.offset),
            (e: unknown) => void (s.error = String(e)),
          ),
        );
        await sleep(sendEveryMs);
      }
    })();

    try {
      await sleep(1_000);
      // RollingUpdate: the highest ordinal first, the next only once this one is ready again.
      for (const pod of [...pods].reverse()) {
        const preStop = await pod.exec(pod.pod.preStop, graceMs);
        expect(preStop.code, `${preStop.output}\n${pod.logTail()}`).toBe(0);
        expect(preStop.output).toMatch(/it leads nothing$/);
        console.log(`${pod.pod.name} preStop: ${preStop.output}`);
        expect(await pod.terminate(graceMs), pod.logTail()).toBe(0);
        await pod.start(healthTimeoutMs);
        // Ready again means caught up with the leader of every partition it replicates.
        expect(await waitReady(pod)).toMatch(/ READY: controller leader \d+; [2-4] groups within/);
        await sleep(minReadyMs);
      }
    } finally {
      stop.abort();
      await writing;
      await Promise.all(outcomes);
      await producer.close();
    }

    const failed = sent.filter((s) => s.error !== undefined);
    expect(failed.slice(0, 5).map((s) => `${s.value}: ${s.error}`)).toEqual([]);
    expect(sent.length).toBeGreaterThan(1_000);
    const read = await readAll(client, sent.length);
    for (const s of sent)
      expect(read.get(s.value), s.value).toEqual({ partition: s.partition, offset: s.offset });
    client.close();
    console.log(JSON.stringify({ test: 'statefulset-roll', net, acknowledged: sent.length }));
  }, 300_000);
});

/** The readiness probe, run until it passes, as the kubelet does before the pod counts as Ready. */
async function waitReady(pod: PlayedPod): Promise<string> {
  const deadline = Date.now() + readyTimeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const probe = await pod.exec(pod.pod.readiness, probeTimeoutMs);
    if (probe.code === 0) return probe.output;
    last = probe.output;
    await sleep(500);
  }
  throw new Error(`${pod.pod.name} not ready after ${readyTimeoutMs} ms: ${last}\n${pod.logTail()}`);
}

async function readAll(
  client: RaftlogClient,
  count: number,
): Promise<Map<string, { partition: number; offset: number }>> {
  const consumer = new Consumer(client, { from: 'earliest' });
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const read = new Map<string, { partition: number; offset: number }>();
  const deadline = Date.now() + 60_000;
  try {
    for await (const r of consumer) {
      const value = Buffer.from(r.value ?? new Uint8Array()).toString();
      expect(read.has(value), `${value} read twice`).toBe(false);
      read.set(value, { partition: r.partition, offset: r.offset });
      if (read.size >= count || Date.now() > deadline) break;
    }
  } finally {
    await consumer.close();
  }
  return read;
}
