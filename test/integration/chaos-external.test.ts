import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Toxiproxy } from 'toxiproxy-node-client';
import { afterAll, describe, expect, it } from 'vitest';
import { LinkProxies } from '../../chaos/cluster/index.js';
import { allFaultKinds } from '../../chaos/nemesis/index.js';
import { RaftlogClient } from '../../src/client/index.js';
import { externalFaultKinds } from '../../chaos/run/index.js';
import { startToxiproxyServer, type ToxiproxyServer } from '../../chaos/toxiproxy/index.js';
import { runChaosCommand, verdictOf } from './chaos-command.js';
import { playChaosOverlay } from './played-chaos-overlay.js';
import type { PlayedPod } from './statefulset-pods.js';

const durationS = Number(process.env.RAFTLOG_CHAOS_DURATION_S ?? 25);
const seed = Number(process.env.RAFTLOG_CHAOS_SEED ?? 11);
const healthTimeoutMs = 60_000;

/** `raftlog chaos ARGS` as the Job's container runs it (the image's entrypoint strips `chaos`). */
function runHarness(args: readonly string[]) {
  if (args[0] !== 'chaos') throw new Error(`the Job does not run \`raftlog chaos\`: ${args.join(' ')}`);
  return runChaosCommand(args.slice(1));
}

/** The groups each pod says it leads, asked on its own address. */
async function claimedLeaderships(pods: readonly PlayedPod[]): Promise<string[]> {
  const client = new RaftlogClient({ bootstrap: pods.map((p) => p.address) });
  try {
    const claims = await Promise.all(
      pods.map(async (pod, i) => {
        const status = await client
          .admin(pod.address)
          .clusterStatus({ omitPartitions: false }, { timeoutMs: 1_000 });
        const led = status.partitions
          .filter((p) => p.leaderId === i + 1)
          .map((p) => `${p.topic}/${p.partition}`);
        return led.map((g) => `${pod.pod.name}: ${g}`);
      }),
    );
    return claims.flat();
  } finally {
    client.close();
  }
}

/** Replaces `--name=…` in the Job's args, or adds it. */
function withFlag(args: readonly string[], name: string, value: string): string[] {
  const kept = args.filter((a) => !a.startsWith(`--${name}=`));
  return [...kept, `--${name}=${value}`];
}

describe('the chaos Job against the StatefulSet of the chaos overlay, played by local processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'raftlog-chaos-ext-'));
  const overlay = playChaosOverlay(dir);
  let toxiproxy: ToxiproxyServer | undefined;

  afterAll(async () => {
    for (const p of overlay.pods) p.kill();
    await toxiproxy?.close();
  });

  it(
    `cuts and slows the pods' links through Toxiproxy and finds no anomaly (seed ${seed}, ${durationS} s)`,
    async () => {
      toxiproxy = await startToxiproxyServer({ host: overlay.toxiproxyIp, port: 0 });
      // As the Toxiproxy Deployment loads its -config file at start: the pods find their links in place.
      await new Toxiproxy(toxiproxy.url).populate([...overlay.links]);
      await Promise.all(overlay.pods.map((p) => p.start(healthTimeoutMs)));
      const out = join(dir, 'run');
      let args = withFlag(overlay.jobArgs, 'toxiproxy-url', toxiproxy.url);
      args = withFlag(withFlag(args, 'duration', String(durationS)), 'seed', String(seed));
      args = withFlag(withFlag(args, 'out', out), 'host-aliases', overlay.hostAliases);
      const run = await runHarness(args);
      const verdict = verdictOf(run);
      console.log(JSON.stringify(verdict));
      for (const kind of externalFaultKinds) expect(verdict.faults[kind], kind).toBeGreaterThan(0);
      const processFaults = allFaultKinds.filter((k) => !externalFaultKinds.includes(k));
      for (const kind of processFaults) expect(verdict.faults[kind], kind).toBeUndefined();
      expect(Object.entries(verdict.anomalies).filter(([, n]) => n > 0)).toEqual([]);
      expect(verdict.operations.ok).toBeGreaterThan(100);
      expect(verdict.valid).toBe(true);
      expect(run.code).toBe(0);
      expect((await stat(verdict.report)).size).toBeGreaterThan(1_000);
      const history = await readFile(join(out, 'history.jsonl'), 'utf8');
      expect(history).toMatch(/"kind":"partition"/);
      // Every link cut: no node hears a majority, so no leader may stay (check-quorum), unless
      // some node-to-node traffic went around the proxies.
      const links = LinkProxies.connect(toxiproxy.url, overlay.toxiproxyIp);
      for (const link of await links.adopt()) await links.cutLink(link);
      await expect
        .poll(() => claimedLeaderships(overlay.pods), { timeout: 10_000, interval: 500 })
        .toEqual([]);
      rmSync(dir, { recursive: true, force: true });
    },
    (durationS + 120) * 1_000,
  );
});
