import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { KvWriteBatch, RocksKvStore } from './kv/index.js';
import { raftHardStateKey } from './keys.js';
import { clearRejoining, readNodeIdentity, writeNodeIdentity } from './node-identity.js';
import { tempRocks } from './test-helpers.js';

describe('node identity', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('survives a reopen and tells an empty directory from one with data', async () => {
    const first = await tempRocks();
    cleanups.push(first.cleanup);
    expect(await readNodeIdentity(first.kv)).toEqual({
      identity: undefined,
      hasData: false,
      rejoining: false,
    });
    await writeNodeIdentity(first.kv, { nodeId: 2, clusterId: 'c-0f3a' });
    expect(await readNodeIdentity(first.kv)).toEqual({
      identity: { nodeId: 2, clusterId: 'c-0f3a' },
      hasData: false,
      rejoining: false,
    });
    await first.kv.write(new KvWriteBatch().put(raftHardStateKey(0), Uint8Array.of(1)), { sync: true });
    expect((await readNodeIdentity(first.kv)).hasData).toBe(true);
  });

  it('keeps a rejoining node rejoining across reopens until the catch-up is recorded', async () => {
    const store = await tempRocks();
    cleanups.push(store.cleanup);
    await writeNodeIdentity(store.kv, { nodeId: 3, clusterId: 'c-1' }, true);
    expect(await readNodeIdentity(store.kv)).toEqual({
      identity: { nodeId: 3, clusterId: 'c-1' },
      hasData: false,
      rejoining: true,
    });
    await store.kv.close();
    const reopened = await RocksKvStore.open(join(store.dir, 'db'));
    cleanups.unshift(() => reopened.close());
    expect((await readNodeIdentity(reopened)).rejoining).toBe(true);
    await clearRejoining(reopened);
    expect(await readNodeIdentity(reopened)).toMatchObject({ hasData: false, rejoining: false });
  });

  it('finds data without an identity (a directory written before identities existed)', async () => {
    const store = await tempRocks();
    cleanups.push(store.cleanup);
    await store.kv.write(new KvWriteBatch().put(raftHardStateKey(7), Uint8Array.of(1)), { sync: true });
    expect(await readNodeIdentity(store.kv)).toEqual({
      identity: undefined,
      hasData: true,
      rejoining: false,
    });
  });

  it('refuses a cluster id that is not a short printable name', async () => {
    const store = await tempRocks();
    cleanups.push(store.cleanup);
    await expect(writeNodeIdentity(store.kv, { nodeId: 1, clusterId: 'a b' })).rejects.toThrow(/cluster id/);
    await expect(writeNodeIdentity(store.kv, { nodeId: 1, clusterId: '' })).rejects.toThrow(/cluster id/);
  });
});
