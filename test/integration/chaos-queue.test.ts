import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runChaosCommand, verdictOf } from './chaos-command.js';

const durationS = Number(process.env.RAFTLOG_CHAOS_DURATION_S ?? 25);
const seed = Number(process.env.RAFTLOG_CHAOS_SEED ?? 11);

/** The queue part of the verdict `raftlog chaos --workload queue --json` prints. */
interface QueueVerdict {
  enqueued: { ok: number };
  deliveries: number;
  redeliveries: number;
  acks: { ok: number };
  nacks: { ok: number };
}

describe('npm run chaos --workload queue, competing consumers under kills and partitions', () => {
  it(
    `acks every acknowledged enqueue and never redelivers an acked message (seed ${seed}, ${durationS} s)`,
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'raftlog-chaos-queue-'));
      const args = ['--workload', 'queue', '--scenario', 'failover', '--nodes', '3', '--partitions', '3'];
      const run = await runChaosCommand([
        ...args,
        '--duration',
        String(durationS),
        '--seed',
        String(seed),
        '--json',
        '--out',
        out,
      ]);
      const verdict = verdictOf(run);
      console.log(JSON.stringify(verdict));
      for (const kind of ['kill', 'partition']) expect(verdict.faults[kind], kind).toBeGreaterThan(0);
      expect(Object.entries(verdict.anomalies).filter(([, n]) => n > 0)).toEqual([]);
      const queue = (verdict as { queue?: QueueVerdict }).queue;
      expect(queue?.enqueued.ok).toBeGreaterThan(100);
      expect(queue?.acks.ok).toBeGreaterThanOrEqual(queue?.enqueued.ok ?? Infinity);
      // Abandoned and nacked leases come back: the workload really exercises redelivery.
      expect(queue?.redeliveries).toBeGreaterThan(0);
      expect(queue?.nacks.ok).toBeGreaterThan(0);
      expect(verdict.valid).toBe(true);
      expect(run.code).toBe(0);
      const history = await readFile(join(out, 'history.jsonl'), 'utf8');
      expect(history).toContain('"f":"lease"');
      await rm(out, { recursive: true, force: true });
    },
    (durationS + 150) * 1_000,
  );
});
