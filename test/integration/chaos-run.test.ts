import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allFaultKinds } from '../../chaos/nemesis/index.js';
import { repoRoot } from './harness/index.js';

const durationS = Number(process.env.RAFTLOG_CHAOS_DURATION_S ?? 30);
const seed = Number(process.env.RAFTLOG_CHAOS_SEED ?? 7);

interface Verdict {
  valid: boolean;
  seed: number;
  faults: Record<string, number>;
  operations: { ok: number; fail: number; info: number };
  anomalies: Record<string, number>;
  failoverMs: { p50: number; max: number };
  report: string;
}

/** Runs the chaos command as a user would and answers its exit code and the last line of its stdout. */
function runChaosCommand(
  args: readonly string[],
): Promise<{ code: number | null; lastLine: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'chaos/main.ts'), ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-20_000)));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, lastLine: stdout.trim().split('\n').at(-1) ?? '', stderr }));
  });
}

describe('npm run chaos, a short run of every fault kind on 3 nodes', () => {
  it(
    `injects every fault kind and finds no anomaly (seed ${seed}, ${durationS} s)`,
    async () => {
      const out = await mkdtemp(join(tmpdir(), 'raftlog-chaos-'));
      const args = ['--scenario', 'all', '--nodes', '3', '--duration', String(durationS)];
      const run = await runChaosCommand([...args, '--seed', String(seed), '--json', '--out', out]);
      let verdict: Verdict;
      try {
        verdict = JSON.parse(run.lastLine) as Verdict;
      } catch {
        throw new Error(`the last line is not the verdict: ${run.lastLine}\n${run.stderr}`);
      }
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
