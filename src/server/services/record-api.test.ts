import { afterEach, describe, expect, it } from 'vitest';
import { encodeRecordBatch, partitionForKey, RaftlogError, RecordBatchView } from '../../../lib/index.js';
import { encodeMarkerBatch } from '../../../cluster/partition/index.js';
import { visibleRecords } from './record-codec.js';
import { sleep, startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

const utf8 = new TextEncoder();
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

describe('ProduceRecords and FetchRecords', () => {
  it('routes keyed records by murmur2 and reads them back decoded, nulls and headers kept', async () => {
    const { broker } = await startServices();
    const keys = ['a', 'b', 'c', 'd'].map((k) => utf8.encode(k));
    const response = await broker.produceRecords({
      topic: 't',
      records: [
        ...keys.map((key, i) => ({ key, value: utf8.encode(`v${i}`), headers: [{ key: 'h', value: key }] })),
        { value: utf8.encode('no key'), timestampMs: 1234n },
        { key: utf8.encode('tombstone') },
      ],
    });
    const expected = keys.map((k) => partitionForKey(k, 2));
    expect(response.records.slice(0, 4).map((r) => r.partition)).toEqual(expected);
    const at1 = await broker.fetchRecords({ topic: 't', partition: 1, offset: 0n });
    const at0 = await broker.fetchRecords({ topic: 't', partition: 0, offset: 0n });
    const all = [...at0.records, ...at1.records];
    expect(all).toHaveLength(6);
    const byValue = new Map(all.map((r) => [text(r.record?.value) ?? null, r]));
    expect(byValue.get('no key')?.record?.key).toBeUndefined();
    expect(byValue.get('no key')?.record?.timestampMs).toBe(1234n);
    expect(text(byValue.get(null)?.record?.key)).toBe('tombstone');
    expect(text(byValue.get('v2')?.record?.headers[0]?.value)).toBe('c');
    for (const r of response.records) {
      const read = all.find((x) => x.partition === r.partition && x.offset === r.offset);
      expect(read, `record at ${r.partition}/${r.offset}`).toBeDefined();
    }
  });

  it('forwards the records of a partition led elsewhere to its leader', async () => {
    const leader = await startServices();
    const other = await startServices();
    other.api.leaderElsewhere.set('t/1', leader.address);
    const response = await other.broker.produceRecords({
      topic: 't',
      partition: 1,
      records: [{ value: utf8.encode('forwarded') }],
    });
    expect(response.records).toEqual([expect.objectContaining({ partition: 1, offset: 0n })]);
    const read = await leader.broker.fetchRecords({ topic: 't', partition: 1, offset: 0n });
    expect(text(read.records[0]?.record?.value)).toBe('forwarded');
    await expect(other.broker.fetchRecords({ topic: 't', partition: 1, offset: 0n })).rejects.toMatchObject({
      code: 'NOT_LEADER',
      leaderHint: leader.address,
    });
  });

  it('refuses bad requests with their own codes and writes nothing', async () => {
    const { broker } = await startServices({ produceRecordsMax: 3 });
    const one = [{ value: utf8.encode('x') }];
    const cases: [object, string][] = [
      [{ topic: 't', records: [] }, 'INVALID_ARGUMENT'],
      [{ topic: 't', records: [...one, ...one, ...one, ...one] }, 'INVALID_ARGUMENT'],
      [{ topic: 'no such topic!', records: one }, 'INVALID_TOPIC_NAME'],
      [{ topic: 'missing', records: one }, 'TOPIC_NOT_FOUND'],
      [{ topic: 't', partition: 9, records: one }, 'PARTITION_NOT_FOUND'],
      [{ topic: 't', records: one, producerId: 1n, producerEpoch: 0, baseSequence: 0 }, 'INVALID_ARGUMENT'],
      [{ topic: 't', partition: 0, records: one, producerId: 1n }, 'INVALID_ARGUMENT'],
      [
        { topic: 't', partition: 0, records: [{ value: utf8.encode('x'), timestampMs: -5n }] },
        'INVALID_ARGUMENT',
      ],
      [
        { topic: 't', partition: 0, records: [{ value: new Uint8Array(9 * 1024 * 1024) }] },
        'MESSAGE_TOO_LARGE',
      ],
    ];
    for (const [i, [request, code]] of cases.entries()) {
      const error = await broker.produceRecords(request).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error, `case ${i}`).toBeInstanceOf(RaftlogError);
      expect((error as RaftlogError).code, `case ${i}`).toBe(code);
    }
    expect((await broker.fetchRecords({ topic: 't', partition: 0, offset: 0n })).highWatermark).toBe(0n);
  });

  it('pages by max_records and long-polls for the first record', async () => {
    const { broker } = await startServices();
    const values = Array.from({ length: 5 }, (_, i) => ({ value: utf8.encode(`r${i}`) }));
    await broker.produceRecords({ topic: 't', partition: 0, records: values });
    const page = await broker.fetchRecords({ topic: 't', partition: 0, offset: 1n, maxRecords: 2 });
    expect(page.records.map((r) => r.offset)).toEqual([1n, 2n]);
    expect(page.nextOffset).toBe(3n);
    const waiting = broker.fetchRecords({ topic: 't', partition: 0, offset: 5n, maxWaitMs: 5_000 });
    await sleep(100);
    await broker.produceRecords({ topic: 't', partition: 0, records: [{ value: utf8.encode('late') }] });
    expect((await waiting).records.map((r) => text(r.record?.value))).toEqual(['late']);
  });

  it('moves past records compaction removed up to the end of the log, once or streaming', async () => {
    const { api, broker } = await startServices();
    // What a node answers when compaction left nothing from the offset to the end: no batch, and
    // the read's next offset at the end.
    api.fetch = (input) =>
      Promise.resolve({
        highWatermark: 22,
        lastStableOffset: 22,
        logStartOffset: 0,
        records: new Uint8Array(0),
        nextOffset: Math.max(input.offset, 22),
        abortedTransactions: [],
      });
    const once = await broker.fetchRecords({ topic: 't', partition: 0, offset: 20n });
    expect(once.records).toEqual([]);
    expect(once.nextOffset).toBe(22n);
    for await (const push of broker.fetchRecordsStream({ topic: 't', partition: 0, offset: 21n })) {
      expect(push.nextOffset).toBe(22n);
      break;
    }
  });

  it('streams records as they are appended', async () => {
    const { broker } = await startServices();
    const controller = new AbortController();
    const seen: string[] = [];
    const following = (async () => {
      for await (const push of broker.fetchRecordsStream(
        { topic: 't', partition: 1, offset: 0n },
        { signal: controller.signal },
      )) {
        seen.push(...push.records.map((r) => text(r.record?.value) ?? ''));
        if (seen.length >= 3) break;
      }
    })();
    for (const v of ['one', 'two', 'three']) {
      await broker.produceRecords({ topic: 't', partition: 1, records: [{ value: utf8.encode(v) }] });
      await sleep(20);
    }
    await following;
    controller.abort();
    expect(seen).toEqual(['one', 'two', 'three']);
  });
});

describe('visibleRecords', () => {
  const batchAt = (
    base: number,
    values: string[],
    options: { producerId?: number; transactional?: boolean } = {},
  ) => {
    const bytes = encodeRecordBatch({
      records: values.map((v) => ({ value: utf8.encode(v) })),
      timestamp: 1,
      baseOffset: base,
      ...(options.producerId === undefined
        ? {}
        : { producerId: options.producerId, producerEpoch: 0, baseSequence: base }),
      ...(options.transactional === true ? { transactional: true } : {}),
    });
    return bytes;
  };

  it('leaves out markers and, for read_committed, the batches of aborted transactions only', () => {
    const marker = encodeMarkerBatch({ producerId: 7, producerEpoch: 0, type: 'abort', timestampMs: 1 });
    const markerAt3 = new RecordBatchView(marker).withBaseOffset(3).bytes;
    const bytes = Buffer.concat([
      batchAt(0, ['plain']),
      batchAt(1, ['aborted-a', 'aborted-b'], { producerId: 7, transactional: true }),
      markerAt3,
      batchAt(4, ['other txn'], { producerId: 8, transactional: true }),
    ]);
    const aborted = [{ producerId: 7, firstOffset: 1, lastOffset: 3 }];
    const committed = visibleRecords(bytes, 0, 5, 100, aborted);
    expect(committed.records.map((r) => text(r.value ?? undefined))).toEqual(['plain', 'other txn']);
    expect(committed.nextOffset).toBe(5);
    const all = visibleRecords(bytes, 0, 5, 100, []);
    expect(all.records.map((r) => r.offset)).toEqual([0, 1, 2, 4]);
    expect(visibleRecords(bytes, 2, 5, 1, []).records.map((r) => r.offset)).toEqual([2]);
    // The marker at 3 is no record: the next read starts after it.
    expect(visibleRecords(bytes, 2, 5, 1, []).nextOffset).toBe(4);
  });
});
