import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NotADataDirectoryError,
  renewLeaders,
  restartAfterDiskFault,
  wipeDataDir,
  type LeadershipControl,
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
    stop: async () => void starts.push('stop'),
    start: async () => {
      const left = await readdir(data).catch(() => []);
      starts.push(left.length === 0 ? 'empty' : 'damaged');
      if (left.length > 0) throw new Error('node 2 exited with code 1 before it was healthy: Corruption');
    },
  };
}

/** Three nodes: node 1 leads the controller and p/0, node 2 leads p/1, q/0 lives on nodes 1 and 3. */
function control(moves: string[]): LeadershipControl {
  return {
    clusterStatus: async () => ({
      controller: { leader: 1, voters: [1, 2, 3] },
      partitions: [
        { topic: 'p', partition: 0, leader: 1, replicas: [1, 2, 3] },
        { topic: 'p', partition: 1, leader: 2, replicas: [1, 2, 3] },
        { topic: 'q', partition: 0, leader: 1, replicas: [1, 3] },
        { topic: 'r', partition: 0, leader: 0, replicas: [1, 2, 3] },
      ],
    }),
    transferLeadership: async (t) => {
      moves.push(`${t.topic ?? 'controller'}/${t.partition ?? '-'} -> ${t.toNode}`);
    },
  };
}

describe('renewLeaders', () => {
  it('hands every group of the node to a replica that is neither its leader nor the node', async () => {
    const moves: string[] = [];
    expect(await renewLeaders(control(moves), 2)).toBe(2);
    expect(moves).toEqual(['controller/- -> 3', 'p/0 -> 3']);
  });

  it('skips groups the node leads, does not replicate, or that have no leader or no other replica', async () => {
    const moves: string[] = [];
    await renewLeaders(control(moves), 3);
    expect(moves).toEqual(['controller/- -> 2', 'p/0 -> 2', 'p/1 -> 1']);
  });
});

describe('restartAfterDiskFault', () => {
  it('wipes and starts again a node that refused its damaged directory, and renews its leaders', async () => {
    const data = await dataDir();
    const starts: string[] = [];
    const moves: string[] = [];
    const outcome = await restartAfterDiskFault(node(data, starts), control(moves));
    expect(outcome.outcome).toBe('rebuilt');
    expect(outcome.outcome === 'rebuilt' && outcome.refusal).toMatch(/code 1.*Corruption/);
    expect(starts).toEqual(['damaged', 'stop', 'empty']);
    expect(moves).toEqual(['controller/- -> 3', 'p/0 -> 3']);
  });

  it('leaves a node that started on its directory alone', async () => {
    const data = await dataDir();
    const starts: string[] = [];
    const moves: string[] = [];
    const outcome = await restartAfterDiskFault(
      { ...node(data, starts), start: async () => {} },
      control(moves),
    );
    expect(moves).toEqual([]);
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
