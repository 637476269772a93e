import { afterEach, describe, expect, it } from 'vitest';
import { KvWriteBatch } from './kv/index.js';
import { raftHardStateKey } from './keys.js';
import { readNodeIdentity, writeNodeIdentity } from './node-identity.js';
import { tempRocks } from './test-helpers.js';

describe('node identity', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
  });

  it('survives a reopen and tells an empty directory from one with data', async () => {
    const first = await tempRocks();
    cleanups.push(first.cleanup);
    expect(await readNodeIdentity(first.kv)).toEqual({ identity: undefined, hasData: false });
    await writeNodeIdentity(first.kv, { nodeId: 2, clusterId: 'c-0f3a' });
    expect(await readNodeIdentity(first.kv)).toEqual({
      identity: { nodeId: 2, clusterId: 'c-0f3a' },
      hasData: false,
    });
    await first.kv.write(new KvWriteBatch().put(raftHardStateKey(0), Uint8Array.of(1)), { sync: true });
    expect((await readNodeIdentity(first.kv)).hasData).toBe(true);
  });

  it('finds data without an identity (a directory written before identities existed)', async () => {
    const store = await tempRocks();
    cleanups.push(store.cleanup);
    await store.kv.write(new KvWriteBatch().put(raftHardStateKey(7), Uint8Array.of(1)), { sync: true });
    expect(await readNodeIdentity(store.kv)).toEqual({ identity: undefined, hasData: true });
  });

  it('refuses a cluster id that is not a short printable name', async () => {
    const store = await tempRocks();
    cleanups.push(store.cleanup);
    await expect(writeNodeIdentity(store.kv, { nodeId: 1, clusterId: 'a b' })).rejects.toThrow(/cluster id/);
    await expect(writeNodeIdentity(store.kv, { nodeId: 1, clusterId: '' })).rejects.toThrow(/cluster id/);
  });
});
