import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NotADataDirectoryError,
  restartAfterDiskFault,
  wipeDataDir,
  type RestartableNode,
} from './recover.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftlog-recover-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const data = join(dir, 'node-2');
  await mkdir(join(data, 'db'), { recursive: true });
  await writeFile(join(data, 'db', '000015.sst'), 'damaged');
  return data;
}

/** A node that refuses to start while its directory holds anything (a damaged file). */
function node(data: string, starts: string[]): RestartableNode {
  return {
    id: 2,
    dataDir: data,
    start: async () => {
      const left = await readdir(data).catch(() => []);
      starts.push(left.length === 0 ? 'empty' : 'damaged');
      if (left.length > 0) throw new Error('node 2 exited with code 1 before it was healthy: Corruption');
    },
  };
}

describe('restartAfterDiskFault', () => {
  it('wipes and starts again a node that refused its damaged directory', async () => {
    const data = await dataDir();
    const starts: string[] = [];
    const outcome = await restartAfterDiskFault(node(data, starts));
    expect(outcome.outcome).toBe('rebuilt');
    expect(outcome.outcome === 'rebuilt' && outcome.refusal).toMatch(/code 1.*Corruption/);
    expect(starts).toEqual(['damaged', 'empty']);
  });

  it('leaves a node that started on its directory alone', async () => {
    const data = await dataDir();
    const starts: string[] = [];
    const outcome = await restartAfterDiskFault({ ...node(data, starts), start: async () => {} });
    expect(outcome).toEqual({ outcome: 'started' });
    expect(await readdir(join(data, 'db'))).toEqual(['000015.sst']);
  });
});

describe('wipeDataDir', () => {
  it('refuses a directory that is not a node data directory, and a relative path', async () => {
    await writeFile(join(dir, 'precious'), 'keep');
    await expect(wipeDataDir(dir)).rejects.toThrow(NotADataDirectoryError);
    await expect(wipeDataDir('node-2')).rejects.toThrow(/not an absolute path/);
    expect(await readdir(dir)).toEqual(['precious']);
  });

  it('accepts a missing or empty directory', async () => {
    await expect(wipeDataDir(join(dir, 'missing'))).resolves.toBeUndefined();
    await expect(wipeDataDir(dir)).resolves.toBeUndefined();
  });
});
