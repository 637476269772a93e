import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { collectRange, KvWriteBatch, MemoryKvStore, type KvRange, type KvStore } from './index.js';
import { dec, enc, tempRocks } from '../test-helpers.js';

const keysOf = async (kv: KvStore, range: KvRange) => (await collectRange(kv, range)).map((e) => dec(e.key));

function contract(name: string, open: () => Promise<{ kv: KvStore; cleanup: () => Promise<void> }>) {
  describe(`KvStore contract: ${name}`, () => {
    let kv: KvStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => {
      ({ kv, cleanup } = await open());
      const b = new KvWriteBatch();
      for (const k of ['a', 'b', 'c', 'd', 'e']) b.put(enc(k), enc(`v${k}`));
      await kv.write(b, { sync: true });
    });
    afterAll(() => cleanup());

    it('gets present and absent keys', async () => {
      expect(dec(await kv.get(enc('c')))).toBe('vc');
      expect(await kv.get(enc('zz'))).toBeUndefined();
      expect((await kv.getMany([enc('a'), enc('x'), enc('e')])).map(dec)).toEqual(['va', undefined, 've']);
    });

    it('iterates ranges forward and backward with limits', async () => {
      expect(await keysOf(kv, { gte: enc('b'), lt: enc('e') })).toEqual(['b', 'c', 'd']);
      expect(await keysOf(kv, { gt: enc('b'), lte: enc('e') })).toEqual(['c', 'd', 'e']);
      expect(await keysOf(kv, { lte: enc('c'), reverse: true })).toEqual(['c', 'b', 'a']);
      expect(await keysOf(kv, { lt: enc('c'), reverse: true, limit: 1 })).toEqual(['b']);
      expect(await keysOf(kv, { gte: enc('bb'), reverse: true, limit: 2 })).toEqual(['e', 'd']);
      expect(await keysOf(kv, { gte: enc('x') })).toEqual([]);
      const keysOnly = await collectRange(kv, { gte: enc('a'), limit: 1, keysOnly: true });
      expect(keysOnly[0]?.value.length).toBe(0);
    });

    it('seeks within the range', async () => {
      const it = kv.iterator({ gte: enc('b'), lt: enc('e') });
      it.seek(enc('cc'));
      expect(dec((await it.next())?.key)).toBe('d');
      it.seek(enc('a'));
      expect(await it.next()).toBeUndefined();
      it.seek(enc('b'));
      expect(dec((await it.next())?.key)).toBe('b');
      it.seek(enc('z'));
      expect(await it.next()).toBeUndefined();
      await it.close();
      const rev = kv.iterator({ reverse: true });
      rev.seek(enc('cc'));
      expect(dec((await rev.next())?.key)).toBe('c');
      expect(dec((await rev.next())?.key)).toBe('b');
      await rev.close();
    });

    it('iterates a snapshot taken at creation', async () => {
      const it = kv.iterator({ gte: enc('a') });
      expect(dec((await it.next())?.key)).toBe('a');
      await kv.write(new KvWriteBatch().put(enc('bb'), enc('new')).del(enc('c')), { sync: false });
      const rest: (string | undefined)[] = [];
      for (let e = await it.next(); e; e = await it.next()) rest.push(dec(e.key));
      await it.close();
      expect(rest).toEqual(['b', 'c', 'd', 'e']);
      expect(await keysOf(kv, {})).toEqual(['a', 'b', 'bb', 'd', 'e']);
      await kv.write(new KvWriteBatch().del(enc('bb')).put(enc('c'), enc('vc')), { sync: true });
    });

    it('applies a batch atomically and in order, delRange included', async () => {
      const b = new KvWriteBatch()
        .put(enc('p1'), enc('1'))
        .put(enc('p2'), enc('2'))
        .put(enc('p3'), enc('3'))
        .delRange(enc('p1'), enc('p3'))
        .put(enc('p2'), enc('again'));
      await kv.write(b, { sync: true });
      expect(await keysOf(kv, { gte: enc('p'), lt: enc('q') })).toEqual(['p2', 'p3']);
      expect(dec(await kv.get(enc('p2')))).toBe('again');
      // An empty synced write is a durability barrier and changes nothing visible.
      const before = await keysOf(kv, {});
      await kv.write(new KvWriteBatch(), { sync: true });
      expect(await keysOf(kv, {})).toEqual(before);
    });
  });
}

contract('MemoryKvStore', () => {
  const kv = new MemoryKvStore();
  return Promise.resolve({ kv, cleanup: () => kv.close() });
});
contract('RocksKvStore', tempRocks);

describe('RocksKvStore memory', () => {
  it('reports what its memtables hold, and zeros once closed', async () => {
    const { kv, cleanup } = await tempRocks();
    const empty = kv.memoryBytes().memtables;
    const b = new KvWriteBatch();
    for (let i = 0; i < 100; i++) b.put(enc(`key-${i}`), new Uint8Array(1_000));
    await kv.write(b, { sync: false });
    expect(kv.memoryBytes().memtables).toBeGreaterThan(empty + 100_000);
    expect(kv.memoryBytes().tableReaders).toBeGreaterThanOrEqual(0);
    await cleanup();
    expect(kv.memoryBytes()).toEqual({ memtables: 0, tableReaders: 0, blockCache: 0 });
  });
});

describe('MemoryKvStore twin', () => {
  it('agrees with RocksDB on random batches and range scans', async () => {
    const { kv: rocks, cleanup } = await tempRocks();
    try {
      const key = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((k) => k.map((b) => b % 4));
      const op = fc.oneof(
        fc.tuple(fc.constant('put' as const), key, fc.uint8Array({ maxLength: 4 })),
        fc.tuple(fc.constant('del' as const), key),
        fc.tuple(fc.constant('delRange' as const), key, key),
      );
      const range = fc.record(
        { gte: key, lt: key, gt: key, lte: key, reverse: fc.boolean(), limit: fc.nat(5) },
        { requiredKeys: [] },
      );
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.array(op, { maxLength: 8 }), { maxLength: 6 }),
          range,
          async (batches, r) => {
            const mem = new MemoryKvStore();
            const prefix = Uint8Array.of(round++ & 0xff, round >> 8);
            const scoped = (k: Uint8Array) => Uint8Array.from([...prefix, ...k]);
            for (const ops of batches) {
              const mb = new KvWriteBatch();
              const rb = new KvWriteBatch();
              for (const o of ops) {
                if (o[0] === 'put') {
                  mb.put(o[1], o[2]);
                  rb.put(scoped(o[1]), o[2]);
                } else if (o[0] === 'del') {
                  mb.del(o[1]);
                  rb.del(scoped(o[1]));
                } else {
                  mb.delRange(o[1], o[2]);
                  rb.delRange(scoped(o[1]), scoped(o[2]));
                }
              }
              await mem.write(mb, { sync: false });
              await rocks.write(rb, { sync: false });
            }
            const scopedRange: KvRange = {
              ...r,
              ...(r.gte ? { gte: scoped(r.gte) } : { gte: prefix }),
              ...(r.lt ? { lt: scoped(r.lt) } : { lt: Uint8Array.from([...prefix, 0xff]) }),
              ...(r.gt ? { gt: scoped(r.gt) } : {}),
              ...(r.lte ? { lte: scoped(r.lte) } : {}),
            };
            const memRange: KvRange = { ...r, lt: r.lt ?? Uint8Array.of(0xff) };
            const fromMem = (await collectRange(mem, memRange)).map((e) => [
              Array.from(e.key),
              Array.from(e.value),
            ]);
            const fromRocks = (await collectRange(rocks, scopedRange)).map((e) => [
              Array.from(e.key.subarray(2)),
              Array.from(e.value),
            ]);
            expect(fromMem).toEqual(fromRocks);
          },
        ),
        { numRuns: 150 },
      );
    } finally {
      await cleanup();
    }
  });
});
