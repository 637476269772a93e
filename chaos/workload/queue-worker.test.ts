import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RaftlogClient } from '../../src/client/index.js';
import { check } from '../checker/index.js';
import type { EnqueueOp } from '../history/index.js';
import { FakeQueueBroker } from './fake-queue-broker.js';
import { keyRef } from './key-ref.js';
import { QueueLedger } from './queue-ledger.js';
import { QueueWorker } from './queue-worker.js';
import { Recorder } from './recorder.js';

const keys = [keyRef('t', 0), keyRef('t', 1)];
const options = {
  queue: 'q',
  consumerId: 'c',
  visibilityMs: 150,
  waitMs: 0,
  maxMessages: 4,
  callTimeoutMs: 1_000,
  nackShare: 0.2,
  abandonShare: 0.2,
  nackDelayMs: 20,
};

let dir: string;
beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'queue-worker-'))));
afterEach(() => rm(dir, { recursive: true, force: true }));

function clientOf(broker: FakeQueueBroker): RaftlogClient {
  const fake = {
    leaderAddress: () => Promise.resolve('fake:1'),
    broker: () => broker,
    noteError: () => undefined,
  };
  return fake as unknown as RaftlogClient;
}

/** Enqueues `n` messages per key as acknowledged enqueues, then runs three consumers and a drain. */
async function runWorkload(broker: FakeQueueBroker, n: number): Promise<Recorder> {
  const recorder = await Recorder.open(join(dir, 'history.jsonl'));
  const ledger = new QueueLedger();
  for (const key of keys) {
    for (let i = 0; i < n; i++) {
      const base = { process: 100, f: 'enqueue', key: key.name, value: `${key.name}-${i}` } as const;
      recorder.record<EnqueueOp>({ ...base, type: 'invoke' });
      recorder.record<EnqueueOp>({ ...base, type: 'ok', offset: broker.put(key.partition, base.value) });
      ledger.enqueued(base.value);
    }
  }
  const workers = [0, 1, 2].map((i) => new QueueWorker(recorder, clientOf(broker), keys, ledger, options, i));
  let running = workers.map((w) => w.run());
  await sleep(400);
  for (const w of workers) w.stop();
  await Promise.all(running);
  for (const w of workers) w.draining = true;
  running = workers.map((w) => w.run());
  for (let i = 0; i < 100 && ledger.outstanding > 0; i++) await sleep(20);
  for (const w of workers) w.stop();
  await Promise.all(running);
  await recorder.close();
  return recorder;
}

describe('queue consumers against an in-memory queue', () => {
  it('ack every message in the end, after nacks, abandoned leases and redeliveries', async () => {
    const recorder = await runWorkload(new FakeQueueBroker(), 30);
    const result = check(recorder.history);
    expect(Object.entries(result.anomalyCounts).filter(([, c]) => c > 0)).toEqual([]);
    expect(result.queue?.enqueued.ok).toBe(60);
    expect(result.queue?.acks.ok).toBeGreaterThanOrEqual(60);
    expect(result.queue?.nacks.ok).toBeGreaterThan(0);
    expect(result.queue?.redeliveries).toBeGreaterThan(0);
  });

  it('show a queue that forgets acks as duplicated-after-ack', async () => {
    const recorder = await runWorkload(new FakeQueueBroker(true), 5);
    expect(check(recorder.history).anomalyCounts['duplicated-after-ack']).toBeGreaterThan(0);
  });
});
