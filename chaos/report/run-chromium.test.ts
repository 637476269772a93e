import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChromium } from './run-chromium.js';

/** A process is gone when /proc has no entry for it, or only a zombie awaiting its reaper. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

describe('runChromium', () => {
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlog-fake-chromium-'));
    // Stand-ins for the browser: one prints its arguments, one hangs with a helper process.
    await writeFile(join(dir, 'echo-args'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\necho oops >&2\n');
    await writeFile(
      join(dir, 'hang'),
      `#!/bin/sh\necho $$ > "${dir}/shell.pid"\nsleep 600 &\necho $! > "${dir}/helper.pid"\nwait\n`,
    );
    await chmod(join(dir, 'echo-args'), 0o755);
    await chmod(join(dir, 'hang'), 0o755);
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the headless flags and a throwaway profile, then removes the profile', async () => {
    const run = await runChromium(join(dir, 'echo-args'), ['--dump-dom', 'file:///x.html'], 30_000);
    const args = run.stdout.trim().split('\n');
    expect(run.code).toBe(0);
    expect(args).toEqual(
      expect.arrayContaining(['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom']),
    );
    expect(args.at(-1)).toBe('file:///x.html');
    const profile =
      args.find((a) => a.startsWith('--user-data-dir='))?.slice('--user-data-dir='.length) ?? '';
    expect(profile).toContain('raftlog-chromium-');
    expect(existsSync(profile)).toBe(false);
    expect(run.stderr).toBe('oops\n');
  });

  it('kills the browser and every process it started when it overruns, and says so', async () => {
    // The stand-in never finishes; the deadline leaves the shell ample time to record its pids.
    await expect(runChromium(join(dir, 'hang'), [], 5000)).rejects.toThrow(/did not finish within 5000 ms/);
    const shell = Number(await readFile(join(dir, 'shell.pid'), 'utf8'));
    const helper = Number(await readFile(join(dir, 'helper.pid'), 'utf8'));
    expect(gone(shell)).toBe(true);
    expect(gone(helper)).toBe(true);
  });

  it('reports a binary that cannot be started', async () => {
    await expect(runChromium(join(dir, 'missing'), [], 30_000)).rejects.toThrow(/cannot start/);
  });
});
