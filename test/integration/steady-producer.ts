import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Producer, RaftlogClient } from '../../src/client/index.js';
import { sleep, type TestCluster } from './harness/index.js';

// Produces through the TypeScript client (src/client), which the harness itself never uses, so
// these scenarios measure what an application sees: its client's routing and retries included.

const sendEveryMs = 5;

interface Sent {
  readonly value: string;
  readonly sentAt: number;
  ackedAt?: number;
  offset?: number;
  error?: string;
}

/** Sends one record every few milliseconds to partition 0 of `topic` until stopped. */
export class SteadyProducer {
  readonly sent: Sent[] = [];
  private readonly client: RaftlogClient;
  private readonly producer: Producer;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly outcomes: Promise<void>[] = [];

  constructor(
    cluster: TestCluster,
    private readonly topic: string,
    transport: 'stream' | 'unary' = 'stream',
  ) {
    this.client = new RaftlogClient({ bootstrap: cluster.nodes.map((n) => n.address) });
    this.producer = new Producer(this.client, { lingerMs: 2, deliveryTimeoutMs: 60_000, transport });
  }

  start(): void {
    this.running = (async () => {
      for (let n = 0; !this.stopping.signal.aborted; n++) {
        const s: Sent = { value: `r${n}`, sentAt: Date.now() };
        this.sent.push(s);
        this.outcomes.push(
          this.producer.send({ topic: this.topic, partition: 0, value: s.value }).then(
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

  /** The longest stretch within [from, to] in which no record was acknowledged. */
  longestSilence(from: number, to: number): number {
    const acks = this.sent
      .map((s) => s.ackedAt)
      .filter((t): t is number => t !== undefined && t >= from && t <= to)
      .sort((a, b) => a - b);
    let longest = 0;
    let previous = from;
    for (const t of [...acks, to]) {
      longest = Math.max(longest, t - previous);
      previous = t;
    }
    return longest;
  }

  /** How long after `at` the first record sent after `at` was acknowledged. */
  resumedAfter(at: number): number {
    const acks = this.sent.filter((s) => s.sentAt >= at && s.ackedAt !== undefined);
    if (acks.length === 0) return Number.POSITIVE_INFINITY;
    return Math.min(...acks.map((s) => s.ackedAt!)) - at;
  }
}

/** Every record was acknowledged, and reading the partition back finds each once at its offset. */
export async function checkNothingLost(
  cluster: TestCluster,
  topic: string,
  producer: SteadyProducer,
): Promise<void> {
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
export function leadershipChanges(cluster: TestCluster, since: number): string[] {
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
