import { afterEach, describe, expect, it } from 'vitest';
import { QueueConsumer } from './queue-consumer.js';
import type { QueueConsumerOptions } from './queue-consumer-options.js';
import type { QueueMessage } from './queue-message.js';
import { RaftlogClient } from './raftlog-client.js';
import { QueueBrokerSim } from './testing/queue-broker-sim.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function setup(
  partitions: number,
  records: number,
  nodes: number,
  extra: Partial<QueueConsumerOptions> = {},
) {
  const sim = await QueueBrokerSim.start('q', partitions, records, nodes);
  const client = new RaftlogClient({ bootstrap: sim.addresses });
  const qc = new QueueConsumer(client, { topic: 'q', queue: 'g', waitMs: 0, ...extra });
  cleanup.push(() => sim.stop());
  cleanup.push(async () => client.close());
  cleanup.push(() => qc.close());
  return { sim, client, qc };
}

const text = (v: Uint8Array | null): string => new TextDecoder().decode(v ?? new Uint8Array());

describe('QueueConsumer', () => {
  it('leases from every leader and acks issued together in one call per leader', async () => {
    const { sim, qc } = await setup(4, 3, 2);
    const messages = await receiveAtLeast(qc, 12);
    expect(messages).toHaveLength(12);
    await Promise.all(messages.map((m) => m.ack()));
    const acks = sim.calls.filter((c) => c.method === 'ack');
    expect(acks.map((c) => c.node).sort()).toEqual([1, 2]);
    expect(acks.reduce((n, c) => n + c.leases, 0)).toBe(12);
    expect(sim.ackedCount()).toBe(12);
    expect(await qc.receive()).toEqual([]);
  });

  it('follows a moved leader for leases and for acks', async () => {
    const { sim, qc } = await setup(2, 2, 2, { maxMessages: 1 });
    const first = await receiveAtLeast(qc, 2);
    expect(first.map((m) => m.partition).sort()).toEqual([0, 1]);
    sim.moveLeader(0, 2);
    await Promise.all(first.map((m) => m.ack()));
    expect(sim.ackedCount()).toBe(2);
    const next = await receiveAtLeast(qc, 2);
    expect(next.map((m) => text(m.value)).sort()).toEqual(['p0-1', 'p1-1']);
  });

  it('run() acks what the handler finished and nacks what it threw, with the error', async () => {
    const { sim, qc } = await setup(2, 5, 1, { waitMs: 50 });
    const seen: string[] = [];
    const done = qc.run(
      async (m) => {
        seen.push(text(m.value));
        if (text(m.value) === 'p1-2' && m.deliveryCount === 1) throw new Error('boom');
      },
      { concurrency: 3 },
    );
    await waitFor(() => sim.ackedCount() === 10);
    await qc.close();
    await done;
    expect(sim.message(1, 2).lastError).toBe('boom');
    expect(seen.filter((v) => v === 'p1-2')).toHaveLength(2);
  });

  it('run() never runs more handlers than its concurrency, however many leaders answer', async () => {
    const { sim, qc } = await setup(4, 3, 2, { waitMs: 20 });
    let active = 0;
    let peak = 0;
    const done = qc.run(
      async () => {
        peak = Math.max(peak, ++active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      },
      { concurrency: 1 },
    );
    await waitFor(() => sim.ackedCount() === 12);
    await qc.close();
    await done;
    expect(peak).toBe(1);
  });

  it('extends the lease while a slow handler runs', async () => {
    const { sim, qc } = await setup(1, 1, 1, { visibilityTimeoutMs: 200, waitMs: 20 });
    const done = qc.run(() => new Promise((resolve) => setTimeout(resolve, 600)));
    await waitFor(() => sim.ackedCount() === 1);
    await qc.close();
    await done;
    expect(sim.calls.filter((c) => c.method === 'extendLease').length).toBeGreaterThanOrEqual(2);
    expect(sim.message(0, 0).deliveries).toBe(1);
  });

  it('acks receipts and reports each outcome', async () => {
    const { qc } = await setup(1, 2, 1);
    const [a] = await qc.receive();
    const outcomes = await qc.ackReceipts([a!.receipt, 'q:0:1:999', 'other:0:0:1', 'junk']);
    expect(outcomes.map((o) => (o.ok ? 'ok' : o.error.code))).toEqual([
      'ok',
      'LEASE_EXPIRED',
      'INVALID_ARGUMENT',
      'INVALID_ARGUMENT',
    ]);
  });
});

async function receiveAtLeast(qc: QueueConsumer, n: number): Promise<QueueMessage[]> {
  const out: QueueMessage[] = [];
  for (let round = 0; out.length < n && round < 10; round++) out.push(...(await qc.receive()));
  return out;
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
