import { readFileSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { ProxyMesh, sleep, startCluster, type ProxyMode, type TestCluster } from './harness/index.js';

const topic = 'isolation';
const resumeMsMax = 2_000;
const sendEveryMs = 5;

interface Sent {
  readonly value: string;
  readonly sentAt: number;
  ackedAt?: number;
  offset?: number;
  error?: string;
}

/** 3 nodes whose node-to-node links all go through their own proxy. */
async function proxiedCluster(): Promise<{ cluster: TestCluster; mesh: ProxyMesh }> {
  let mesh: ProxyMesh | undefined;
  const cluster = await startCluster({
    nodes: 3,
    peers: async (layout) => {
      mesh = await ProxyMesh.start(layout);
      const started = mesh;
      onTestFinished(() => started.close());
      return (id) => started.peersFor(id);
    },
  });
  return { cluster, mesh: mesh! };
}

/** Sends one record every few milliseconds through the TypeScript client until stopped. */
class SteadyProducer {
  readonly sent: Sent[] = [];
  private readonly client: RaftlogClient;
  private readonly producer: Producer;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private outcomes: Promise<void>[] = [];

  constructor(cluster: TestCluster) {
    this.client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    this.producer = new Producer(this.client, { lingerMs: 2, deliveryTimeoutMs: 60_000 });
  }

  start(): void {
    this.running = (async () => {
      for (let n = 0; !this.stopping.signal.aborted; n++) {
        const s: Sent = { value: `r${n}`, sentAt: Date.now() };
        this.sent.push(s);
        this.outcomes.push(
          this.producer.send({ topic, partition: 0, value: s.value }).then(
            (ack) => {
              s.ackedAt = Date.now();
              s.offset = ack.offset;
            },
            (e: unknown) => {
              s.error = String(e);
            },
          ),
        );
        await sleep(sendEveryMs, this.stopping.signal).catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await Promise.all(this.outcomes);
    await this.producer.close();
    this.client.close();
  }

  /** How long after `at` the first record sent after `at` was acknowledged. */
  resumedAfter(at: number): number {
    const acks = this.sent.filter((s) => s.sentAt >= at && s.ackedAt !== undefined);
    if (acks.length === 0) return Number.POSITIVE_INFINITY;
    return Math.min(...acks.map((s) => s.ackedAt!)) - at;
  }
}

async function checkNothingLost(cluster: TestCluster, producer: SteadyProducer): Promise<void> {
  const failed = producer.sent.filter((s) => s.error !== undefined);
  expect(failed.map((s) => `${s.value}: ${s.error}`).slice(0, 5)).toEqual([]);
  const read = await cluster.readPartition(topic, 0, { timeoutMs: 60_000 });
  const at = new Map<string, bigint>();
  for (const r of read) {
    expect(at.has(r.value), `${r.value} stored twice`).toBe(false);
    at.set(r.value, r.offset);
  }
  for (const s of producer.sent) expect(at.get(s.value), s.value).toBe(BigInt(s.offset!));
}

/** Leadership changes the nodes logged after `since`: node, group, role, ms after `since`. */
function leadershipChanges(cluster: TestCluster, since: number): string[] {
  const out: string[] = [];
  for (const n of cluster.nodes) {
    for (const line of readFileSync(n.logFile, 'utf8').split('\n')) {
      if (!line.includes('"leadership changed"')) continue;
      const e = JSON.parse(line) as { time: number; group: number; role: string };
      if (e.time >= since) out.push(`n${n.id} g${e.group} ${e.role} +${e.time - since}`);
    }
  }
  return out;
}

async function leaderFaultScenario(
  fault: (mesh: ProxyMesh, cluster: TestCluster, leader: number) => Promise<void>,
  heal: (mesh: ProxyMesh, cluster: TestCluster, leader: number) => Promise<void>,
  label: string,
): Promise<void> {
  const { cluster, mesh } = await proxiedCluster();
  await cluster.createTopic(topic, 1, 3);
  const { leaderId } = await cluster.waitForLeader(topic, 0);
  const producer = new SteadyProducer(cluster);
  producer.start();
  let resumedMs: number;
  const faultAt = Date.now() + 1_500;
  try {
    await sleep(faultAt - Date.now());
    await fault(mesh, cluster, leaderId);
    await sleep(5_000);
    resumedMs = producer.resumedAfter(faultAt);
    await heal(mesh, cluster, leaderId);
    await sleep(1_000);
  } finally {
    await producer.stop();
  }
  const elections = leadershipChanges(cluster, faultAt);
  console.log(
    JSON.stringify({ test: label, leader: leaderId, resumedMs, sent: producer.sent.length, elections }),
  );
  await checkNothingLost(cluster, producer);
  expect(resumedMs).toBeLessThan(resumeMsMax);
}

describe('losing a partition leader while producing (links through proxies)', () => {
  it('a leader silently cut off from both peers: writes resume on the new leader within 2 s', async () => {
    const cut: ProxyMode = 'cut';
    await leaderFaultScenario(
      (mesh, _c, leader) => mesh.isolate(leader, cut),
      (mesh) => mesh.healAll(),
      'leader-isolation',
    );
  }, 120_000);

  it('a SIGKILLed leader whose peers get accepted-then-closed connections: writes resume within 2 s', async () => {
    await leaderFaultScenario(
      async (mesh, cluster, leader) => {
        await mesh.isolate(leader, 'accept-then-close');
        await cluster.node(leader).kill('SIGKILL');
      },
      async (mesh, cluster, leader) => {
        await mesh.healAll();
        await cluster.node(leader).start();
      },
      'leader-kill-accept-close',
    );
  }, 120_000);
});
