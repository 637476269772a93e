import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { tsxLauncher } from './test-cluster.js';

const run = promisify(execFile);

/** Runs the real `raftlog` CLI against the cluster with `--json` and parses its last output line. */
export async function cliJson(bootstrap: string, ...args: string[]): Promise<unknown> {
  const { stdout } = await run(
    tsxLauncher.command,
    [...tsxLauncher.args, '--bootstrap', bootstrap, '--json', ...args],
    { cwd: tsxLauncher.cwd, timeout: 300_000 },
  );
  const lines = stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as unknown;
}
