import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium } from './find-chromium.js';

describe('findChromium', () => {
  let dir = '';
  let empty = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlog-find-chromium-'));
    empty = await mkdtemp(join(tmpdir(), 'raftlog-find-chromium-empty-'));
    await writeFile(join(dir, 'chromium-browser'), '#!/bin/sh\n');
    await chmod(join(dir, 'chromium-browser'), 0o755);
    await writeFile(join(dir, 'chromium'), 'not executable');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(empty, { recursive: true, force: true });
  });

  it('takes RAFTLOG_CHROMIUM as is, even when it does not exist, so a wrong setting fails loudly', () => {
    expect(findChromium({ RAFTLOG_CHROMIUM: '/opt/nowhere/chrome', PATH: dir })).toBe('/opt/nowhere/chrome');
  });

  it('finds the first executable of the usual names on PATH', () => {
    expect(findChromium({ PATH: `${empty}:${dir}` })).toBe(join(dir, 'chromium-browser'));
  });

  it('finds nothing where there is nothing', () => {
    expect(findChromium({ PATH: empty })).toBeUndefined();
    expect(findChromium({ RAFTLOG_CHROMIUM: '', PATH: empty })).toBeUndefined();
    expect(findChromium({})).toBeUndefined();
  });
});
