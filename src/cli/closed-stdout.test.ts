import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchOf,
  startServices,
  stopServices,
  type Services,
} from '../server/services/testing/start-services.js';

const repoRoot = new URL('../../', import.meta.url);

/** Runs the real `raftlog` in a child process whose stdout reader is gone before the first line. */
function runWithClosedStdout(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('raftlog piped into a reader that leaves early (| head -1)', () => {
  let services: Services;
  beforeAll(async () => {
    services = await startServices();
    for (let i = 0; i < 20; i++)
      await services.broker.produce({ topic: 't', partition: 0, batch: batchOf(`v${i}`) });
  });
  afterAll(() => stopServices());

  it.each([[['status']], [['consume', 't', '--json']], [['topic', 'list']]])(
    '%s ends quietly with exit code 0',
    async (args) => {
      const { code, stderr } = await runWithClosedStdout(['--bootstrap', services.address, ...args]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
    },
  );
});
