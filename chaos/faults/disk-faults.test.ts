import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Prng } from '../../lib/index.js';
import { flipRandomByte, NoFileToDamageError, truncateRandomFile } from './disk-faults.js';
import { kindOf, listDataFiles } from './data-files.js';

let dir: string;

/** A data directory laid out as a node's: RocksDB files under db/. */
async function fakeDataDir(): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {
    'db/000013.log': Buffer.alloc(4000, 0x11),
    'db/000015.sst': Buffer.alloc(8000, 0x22),
    'db/000021.sst': Buffer.alloc(3000, 0x33),
    'db/MANIFEST-000003': Buffer.alloc(544, 0x44),
    'db/CURRENT': Buffer.from('MANIFEST-000003\n'),
    'db/OPTIONS-000006': Buffer.alloc(600, 0x55),
    'db/IDENTITY': Buffer.alloc(37, 0x66),
    'db/LOCK': Buffer.alloc(0),
  };
  await mkdir(join(dir, 'db'), { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(dir, name), bytes);
  return files;
}

async function changedBytes(files: Record<string, Buffer>): Promise<{ file: string; offset: number }[]> {
  const changed: { file: string; offset: number }[] = [];
  for (const [name, original] of Object.entries(files)) {
    const now = await readFile(join(dir, name));
    for (let i = 0; i < Math.min(now.length, original.length); i++)
      if (now[i] !== original[i]) changed.push({ file: name, offset: i });
  }
  return changed;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'raftlog-faults-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the files of a data directory', () => {
  it('are classified by the engine’s names and listed in name order, empty ones left out', async () => {
    await fakeDataDir();
    expect(kindOf('db/000015.sst')).toBe('sst');
    expect(kindOf('000013.log')).toBe('wal');
    expect(kindOf('LOG')).toBe('other');
    const any = await listDataFiles(dir, 'any');
    expect(any.map((f) => f.name)).toEqual([
      'db/000013.log',
      'db/000015.sst',
      'db/000021.sst',
      'db/CURRENT',
      'db/IDENTITY',
      'db/MANIFEST-000003',
      'db/OPTIONS-000006',
    ]);
    expect((await listDataFiles(dir, 'data')).map((f) => f.kind)).toEqual(['wal', 'sst', 'sst']);
    expect((await listDataFiles(dir, 'manifest')).map((f) => f.size)).toEqual([544]);
  });

  it('include the entry files among the data', async () => {
    await fakeDataDir();
    await mkdir(join(dir, 'entries'));
    await writeFile(join(dir, 'entries', '0000000000000002.entries'), Buffer.alloc(900, 0x77));
    expect(kindOf('entries/0000000000000002.entries')).toBe('entries');
    expect(kindOf('2.entries')).toBe('other');
    expect((await listDataFiles(dir, 'entries')).map((f) => f.name)).toEqual([
      'entries/0000000000000002.entries',
    ]);
    expect((await listDataFiles(dir, 'data')).map((f) => f.kind)).toEqual(['wal', 'sst', 'sst', 'entries']);
  });
});

describe('flipRandomByte', () => {
  it('inverts one bit of one byte of a file of the class asked for, and says which', async () => {
    const files = await fakeDataDir();
    const fault = await flipRandomByte(dir, new Prng(7), 'sst');
    expect(fault.kind).toBe('sst');
    expect(await changedBytes(files)).toEqual([{ file: fault.file, offset: fault.offset }]);
    const flipped = fault.before ^ fault.after;
    expect(flipped & (flipped - 1)).toBe(0);
    expect(flipped).not.toBe(0);
    expect((await readFile(join(dir, fault.file)))[fault.offset]).toBe(fault.after);
    expect(fault.detail).toContain(`${fault.file} (sst`);
  });

  it('makes the same choice from the same seed', async () => {
    await fakeDataDir();
    const first = await flipRandomByte(dir, new Prng(11));
    await rm(join(dir, 'db'), { recursive: true });
    await fakeDataDir();
    const second = await flipRandomByte(dir, new Prng(11));
    expect(second).toEqual(first);
    expect(['sst', 'wal']).toContain(first.kind);
  });

  it('hits every data file and every part of a file over many seeds', async () => {
    await fakeDataDir();
    const hit = new Set<string>();
    let maxOffset = 0;
    for (let seed = 0; seed < 200; seed++) {
      const fault = await flipRandomByte(dir, new Prng(seed), 'data');
      hit.add(fault.file);
      if (fault.file === 'db/000015.sst') maxOffset = Math.max(maxOffset, fault.offset);
    }
    expect([...hit].sort()).toEqual(['db/000013.log', 'db/000015.sst', 'db/000021.sst']);
    expect(maxOffset).toBeGreaterThan(7000);
  });

  it('fails with a clear error when no file of the class is there', async () => {
    await mkdir(join(dir, 'db'));
    await expect(flipRandomByte(dir, new Prng(1), 'sst')).rejects.toThrow(NoFileToDamageError);
    await expect(flipRandomByte(dir, new Prng(1), 'sst')).rejects.toThrow(/no non-empty sst file/);
  });
});

describe('truncateRandomFile', () => {
  it('cuts one file of the class to a shorter length and leaves the others whole', async () => {
    const files = await fakeDataDir();
    const fault = await truncateRandomFile(dir, new Prng(3), 'wal');
    expect(fault).toMatchObject({ file: 'db/000013.log', kind: 'wal', oldSize: 4000 });
    expect(fault.newSize).toBeLessThan(4000);
    expect((await stat(join(dir, fault.file))).size).toBe(fault.newSize);
    expect(await changedBytes(files)).toEqual([]);
    for (const name of Object.keys(files).filter((n) => n !== fault.file))
      expect((await stat(join(dir, name))).size).toBe(files[name]!.length);
  });

  it('replays from the seed', async () => {
    await fakeDataDir();
    const first = await truncateRandomFile(dir, new Prng(5), 'any');
    await rm(join(dir, 'db'), { recursive: true });
    await fakeDataDir();
    expect(await truncateRandomFile(dir, new Prng(5), 'any')).toEqual(first);
  });
});
