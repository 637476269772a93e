import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChromiumRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** The end of what it printed on stderr, for error messages. */
  readonly stderr: string;
}

const stdoutMax = 64 * 1024 * 1024;
const stderrMax = 16 * 1024;

/**
 * Flags every headless run needs: no sandbox (containers and CI run as root), no GPU, no shared
 * memory (Docker's /dev/shm is 64 MB), a throwaway profile so parallel runs never share a lock, and
 * one CSS pixel per pixel so screenshots have the size asked for.
 */
function commonArgs(profile: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--no-first-run',
    '--no-default-browser-check',
    '--force-device-scale-factor=1',
    `--user-data-dir=${profile}`,
  ];
}

/**
 * Runs headless Chromium once with `args` after the common flags. It gets its own process group so
 * that on timeout the browser and every helper process it started are killed together.
 */
export async function runChromium(
  binary: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<ChromiumRun> {
  const profile = await mkdtemp(join(tmpdir(), 'raftlog-chromium-'));
  try {
    return await spawnOnce(binary, [...commonArgs(profile), ...args], timeoutMs);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}

function spawnOnce(binary: string, args: readonly string[], timeoutMs: number): Promise<ChromiumRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (stdout.length < stdoutMax) stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrMax);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) killGroup(child.pid);
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${error.message}`, { cause: error }));
    });
    // Settles only once the process is gone, so a caller never leaves a browser behind.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut)
        reject(
          new Error(`${binary} did not finish within ${timeoutMs} ms and was killed; it said:\n${stderr}`),
        );
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
