import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { linkOfName } from './link-proxies.js';
import { readLinksFile } from './links-file.js';

const dirs: string[] = [];

async function linksFile(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-links-'));
  dirs.push(dir);
  const path = join(dir, 'links.json');
  await writeFile(path, JSON.stringify(content));
  return path;
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('link proxy names and the links file', () => {
  it('reads node links and client links from their proxy names, and nothing else', () => {
    expect(linkOfName('n1-n2')).toEqual({ from: 1, to: 2 });
    expect(linkOfName('client-n3')).toEqual({ from: 0, to: 3 });
    for (const name of ['n0-n2', 'n1-to-n2', 'redis', 'n1-n2x'])
      expect(linkOfName(name), name).toBeUndefined();
  });

  it("reads Toxiproxy's -config format, with the link of every proxy", async () => {
    const path = await linksFile([
      { name: 'n1-n2', listen: '0.0.0.0:20012', upstream: 'raftlog-1.peers:10091', enabled: true },
    ]);
    expect(await readLinksFile(path)).toEqual([
      { link: { from: 1, to: 2 }, name: 'n1-n2', listen: '0.0.0.0:20012', upstream: 'raftlog-1.peers:10091' },
    ]);
  });

  it('refuses a proxy that names no link, or lacks an address, so no link is left uncut by a typo', async () => {
    await expect(
      readLinksFile(await linksFile([{ name: 'n1_n2', listen: ':1', upstream: 'a:1' }])),
    ).rejects.toThrow(/names no link/);
    await expect(readLinksFile(await linksFile([{ name: 'n1-n2', listen: ':1' }]))).rejects.toThrow(
      /upstream/,
    );
    await expect(readLinksFile(await linksFile({ 'n1-n2': {} }))).rejects.toThrow(/JSON array/);
  });
});
