import { create, type DescMessage } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import {
  BrokerService,
  FetchRecordsResponseSchema,
  FetchRecordsStreamResponseSchema,
  FetchResponseSchema,
  FetchStreamResponseSchema,
  LeaseResponseSchema,
  ProduceRecordsRequestSchema,
  ProduceRequestSchema,
  ProduceStreamRequestSchema,
} from '../../../proto/gen/raftlog/v1/broker_pb.js';
import { quotaMeasures } from './quota-measure.js';

const bytes = (n: number): Uint8Array => new Uint8Array(n);
/** A key of 2 bytes and a value of 3, a value only, a key only, neither: 2 + 3 + 3 + 2 = 10. */
const records = [{ key: bytes(2), value: bytes(3) }, { value: bytes(3) }, { key: bytes(2) }, {}];

function measure(method: string, schema: DescMessage, init: object): number {
  const m = quotaMeasures[method];
  if (m === undefined) throw new Error(`no measure for ${method}`);
  return (m.bytes as (message: unknown) => number)(create(schema, init as never));
}

describe('quota measures', () => {
  it('name BrokerService methods only', () => {
    const methods = new Set(BrokerService.methods.map((m) => m.localName));
    for (const name of Object.keys(quotaMeasures)) expect(methods).toContain(name);
  });

  it('measure messages of their own method, records without a key or a value included', () => {
    const consumed = [...records.map((record) => ({ record })), {}];
    expect(measure('produce', ProduceRequestSchema, { batch: bytes(7) })).toBe(7);
    expect(measure('produceStream', ProduceStreamRequestSchema, { produce: { batch: bytes(7) } })).toBe(7);
    expect(measure('produceStream', ProduceStreamRequestSchema, {})).toBe(0);
    expect(measure('produceRecords', ProduceRecordsRequestSchema, { records })).toBe(10);
    expect(measure('fetch', FetchResponseSchema, { partitions: [{ records: bytes(7) }, {}] })).toBe(7);
    expect(measure('fetchStream', FetchStreamResponseSchema, { partitions: [{ records: bytes(7) }] })).toBe(
      7,
    );
    expect(measure('fetchRecords', FetchRecordsResponseSchema, { records: consumed })).toBe(10);
    expect(measure('fetchRecordsStream', FetchRecordsStreamResponseSchema, { records: consumed })).toBe(10);
    const leased = { messages: [...consumed.map((message) => ({ message })), {}] };
    expect(measure('lease', LeaseResponseSchema, leased)).toBe(10);
  });
});
