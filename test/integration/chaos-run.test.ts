import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFaultKinds } from '../../chaos/nemesis/index.js';
import { runChaosCommand, verdictOf } from './chaos-command.js';

const durationS = Number(process.env.RAFTLOG_CHAOS_DURATION_S ?? 30);
const seed = Number(process.env.RAFTLOG_CHAOS_SEED ?? 7);

describe('npm run chaos, a short run of every fault kind on 3 nodes', () => {
  it(
    `injects every fault kind and finds no anomaly (seed ${seed}, ${durationS} s)`,
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'raftlog-chaos-'));
      const args = ['--scenario', 'all', '--nodes', '3', '--duration', String(durationS)];
      const run = await runChaosCommand([...args, '--seed', String(seed), '--json', '--out', out]);
      const verdict = verdictOf(run);
      console.log(JSON.stringify(verdict));
      for (const kind of allFaultKinds) expect(verdict.faults[kind], kind).toBeGreaterThan(0);
      expect(Object.entries(verdict.anomalies).filter(([, n]) => n > 0)).toEqual([]);
      expect(verdict.operations.ok).toBeGreaterThan(100);
      expect(verdict.valid).toBe(true);
      expect(run.code).toBe(0);
      expect(verdict.seed).toBe(seed);
      expect((await stat(verdict.report)).size).toBeGreaterThan(1_000);
      expect(await readFile(join(out, 'history.jsonl'), 'utf8')).toContain('"f":"fault"');
      await rm(out, { recursive: true, force: true });
    },
    (durationS + 150) * 1_000,
  );
});
