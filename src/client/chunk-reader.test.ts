import { describe, expect, it } from 'vitest';
import { AsyncChannel } from './async-channel.js';
import { ChunkReader, type OwnedChunk } from './chunk-reader.js';
import type { ConsumerRecord } from './types.js';

const rec = (partition: number, offset: number): ConsumerRecord => ({
  topic: 't',
  partition,
  offset,
  key: null,
  value: null,
  headers: [],
  timestampMs: 0,
});

function chunk(owner: AbortController, partition: number, offsets: number[]): OwnedChunk {
  return { owner, chunk: { records: offsets.map((o) => rec(partition, o)), nextOffset: 0, sizeBytes: 1 } };
}

const offsets = (got: Awaited<ReturnType<ChunkReader['take']>>) =>
  got === 'done' ? 'done' : got.map((h) => `${h.record.partition}@${h.record.offset}`);

describe('ChunkReader', () => {
  it('fills a batch across chunks, then returns what it has when more does not come in time', async () => {
    const channel = new AsyncChannel<OwnedChunk>(1 << 20);
    const reader = new ChunkReader(channel, () => true);
    const a = new AbortController();
    await channel.push(chunk(a, 0, [0, 1, 2]), 1);
    await channel.push(chunk(a, 1, [5]), 1);
    expect(offsets(await reader.take(3, 20))).toEqual(['0@0', '0@1', '0@2']);
    expect(offsets(await reader.take(10, 20))).toEqual(['1@5']);
    // The read pending when the wait ran out is kept: the next chunk is not lost.
    const later = reader.take(10, 20);
    setTimeout(() => void channel.push(chunk(a, 1, [6, 7]), 1), 30);
    expect(offsets(await later)).toEqual(['1@6', '1@7']);
    channel.close();
    expect(await reader.take(1, undefined)).toBe('done');
  });

  it('drops the rest of a chunk once its partition is read by another fetcher', async () => {
    const channel = new AsyncChannel<OwnedChunk>(1 << 20);
    const current = new Set<AbortController>();
    const reader = new ChunkReader(channel, (_r, owner) => current.has(owner));
    const old = new AbortController();
    const fresh = new AbortController();
    current.add(old);
    await channel.push(chunk(old, 0, [0, 1, 2]), 1);
    await channel.push(chunk(fresh, 0, [0, 1]), 1);
    expect(offsets(await reader.take(1, undefined))).toEqual(['0@0']);
    current.delete(old);
    current.add(fresh);
    expect(offsets(await reader.take(5, 10))).toEqual(['0@0', '0@1']);
  });
});
