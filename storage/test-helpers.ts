import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RocksKvStore } from './kv/index.js';

/** A RocksDB store in a fresh temp dir; `cleanup` closes it (if still open) and removes the dir. */
export async function tempRocks(): Promise<{ dir: string; kv: RocksKvStore; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'raftlog-storage-'));
  const kv = await RocksKvStore.open(join(dir, 'db'));
  return {
    dir,
    kv,
    cleanup: async () => {
      await kv.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
export const dec = (u: Uint8Array | undefined): string | undefined =>
  u === undefined ? undefined : new TextDecoder().decode(u);
