import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KvWriteBatch, MemoryKvStore, RocksKvStore, collectRange } from './index.js';
import { dec, enc, tempRocks } from '../test-helpers.js';
import { RaftlogError } from '../../lib/index.js';

const writer = fileURLToPath(new URL('./test-fixtures/crash-writer.ts', import.meta.url));

/** Runs the writer until it has reported `syncedMin` durable writes, then SIGKILLs it. */
function runAndKill(location: string, syncedMin: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, location], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lastSynced = -1;
    let stderr = '';
    let buffered = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) lastSynced = Number(line.split(' ')[1]);
      if (lastSynced >= syncedMin) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lastSynced);
      else reject(new Error(`writer exited with ${code}: ${stderr}`));
    });
  });
}

describe('durability across a real process crash (RocksDB)', () => {
  it('keeps every synced write, and every write before it, after SIGKILL', async () => {
    const { dir, kv, cleanup } = await tempRocks();
    await kv.close();
    const location = `${dir}/db`;
    try {
      const lastSynced = await runAndKill(location, 150);
      expect(lastSynced).toBeGreaterThanOrEqual(150);
      const reopened = await RocksKvStore.open(location);
      try {
        const synced = await collectRange(reopened, { gte: enc('s/'), lt: enc('s0'), keysOnly: true });
        const present = new Set(synced.map((e) => dec(e.key)));
        for (let i = 0; i <= lastSynced; i++) {
          expect(present.has(`s/${i}`), `s/${i}`).toBe(true);
          // The unsynced write issued just before a synced one became durable with it.
          expect(await reopened.get(enc(`u/${i}`)), `u/${i}`).toBeDefined();
          expect(await reopened.get(enc(`t/${i}`)), `t/${i} (same batch as s/${i})`).toBeDefined();
        }
        // Batches are atomic: s/i and t/i were written together, so they are present together.
        for (const key of present) expect(await reopened.get(enc(`t/${key!.slice(2)}`))).toBeDefined();
      } finally {
        await reopened.close();
      }
    } finally {
      await cleanup();
    }
  });
});

describe('MemoryKvStore durability model', () => {
  const put = (k: string) => new KvWriteBatch().put(enc(k), enc(k));

  it('loses exactly the writes after the last synced one', async () => {
    const kv = new MemoryKvStore();
    await kv.write(put('a'), { sync: false });
    await kv.write(put('b'), { sync: true });
    await kv.write(put('c'), { sync: false });
    await kv.write(new KvWriteBatch().del(enc('a')), { sync: false });
    expect(kv.unsyncedWriteCount).toBe(2);
    kv.crash();
    const keys = (await collectRange(kv, {})).map((e) => dec(e.key));
    expect(keys).toEqual(['a', 'b']);
    expect(kv.unsyncedWriteCount).toBe(0);
  });

  it('can keep a prefix of the unsynced writes, as a partly flushed WAL would', async () => {
    const kv = new MemoryKvStore();
    await kv.write(put('a'), { sync: true });
    for (const k of ['b', 'c', 'd']) await kv.write(put(k), { sync: false });
    kv.crash({ unsyncedWritesKept: 2 });
    expect((await collectRange(kv, {})).map((e) => dec(e.key))).toEqual(['a', 'b', 'c']);
    kv.crash();
    expect((await collectRange(kv, {})).map((e) => dec(e.key))).toEqual(['a', 'b', 'c']);
  });

  it('kills iterators opened before the crash', async () => {
    const kv = new MemoryKvStore();
    await kv.write(put('a'), { sync: true });
    const it = kv.iterator();
    kv.crash();
    await expect(it.next()).rejects.toBeInstanceOf(RaftlogError);
  });

  it('injects read and write faults; a failed write changes nothing', async () => {
    const kv = new MemoryKvStore();
    kv.injectFault('write');
    await expect(kv.write(put('a'), { sync: true })).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(await kv.get(enc('a'))).toBeUndefined();
    await kv.write(put('a'), { sync: true });
    kv.injectFault('read', new RaftlogError('UNAVAILABLE', 'disk gone'), 2);
    await expect(kv.get(enc('a'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const it = kv.iterator();
    await expect(it.next()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(dec((await it.next())?.key)).toBe('a');
    await kv.close();
    await expect(kv.get(enc('a'))).rejects.toMatchObject({ code: 'SHUTTING_DOWN' });
  });
});
