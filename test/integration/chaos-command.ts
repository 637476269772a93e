import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './harness/index.js';

/** The verdict line `raftlog chaos --json` prints last. */
export interface ChaosVerdict {
  valid: boolean;
  seed: number;
  faults: Record<string, number>;
  operations: { ok: number; fail: number; info: number };
  anomalies: Record<string, number>;
  failoverMs: { p50: number; max: number };
  report: string;
}

/** Runs the chaos command as a user would and answers its exit code and the last line of its stdout. */
export function runChaosCommand(
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

/** The verdict of a run, or an error carrying the run's stderr. */
export function verdictOf(run: { lastLine: string; stderr: string }): ChaosVerdict {
  try {
    return JSON.parse(run.lastLine) as ChaosVerdict;
  } catch {
    throw new Error(`the last line is not the verdict: ${run.lastLine}\n${run.stderr}`);
  }
}
