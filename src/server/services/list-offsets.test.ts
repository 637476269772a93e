import { afterEach, describe, expect, it } from 'vitest';
import type { ListOffsetInput } from '../../../cluster/node/node-api.js';
import { OffsetSpec } from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { batchOf, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

/** Counts the lookups that reach the node. */
function countLookups(api: { listOffset(input: ListOffsetInput): Promise<unknown> }): ListOffsetInput[] {
  const seen: ListOffsetInput[] = [];
  const real = api.listOffset.bind(api);
  api.listOffset = (input) => {
    seen.push(input);
    return real(input);
  };
  return seen;
}

describe('ListOffsets', () => {
  it('looks a partition named 1,000 times up once and answers every entry', async () => {
    const { api, broker } = await startServices();
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a', 'b', 'c') });
    const seen = countLookups(api);
    const same = { topic: 't', partition: 0, spec: OffsetSpec.TIMESTAMP, timestampMs: 500n };
    const { offsets } = await broker.listOffsets({ partitions: Array.from({ length: 1_000 }, () => same) });
    expect(seen.length).toBe(1);
    expect(offsets.length).toBe(1_000);
    for (const o of offsets) expect(o).toMatchObject({ topic: 't', partition: 0, offset: 0n });
  });

  it('keeps distinct lookups apart and answers in request order', async () => {
    const { api, broker } = await startServices();
    await broker.produce({ topic: 't', partition: 1, batch: batchOf('a', 'b') });
    const seen = countLookups(api);
    const earliest = { topic: 't', partition: 1, spec: OffsetSpec.EARLIEST };
    const latest = { topic: 't', partition: 1, spec: OffsetSpec.LATEST };
    const { offsets } = await broker.listOffsets({ partitions: [latest, earliest, latest, earliest] });
    expect(seen.map((s) => s.spec)).toEqual(['latest', 'earliest']);
    expect(offsets.map((o) => o.offset)).toEqual([2n, 0n, 2n, 0n]);
  });

  it('refuses more entries than listOffsetsPartitionsMax with a clear error', async () => {
    const { broker } = await startServices({ listOffsetsPartitionsMax: 3 });
    const one = { topic: 't', partition: 0, spec: OffsetSpec.EARLIEST };
    const call = broker.listOffsets({ partitions: [one, one, one, one] });
    await expect(call).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call).rejects.toThrow(/ListOffsets takes 1 to 3 partitions, got 4/);
    expect((await broker.listOffsets({ partitions: [one, one, one] })).offsets.length).toBe(3);
  });
});
