import { Counter, Histogram, type Registry } from 'prom-client';

/** The client APIs that move records; the `api` label of the data-path series takes only these. */
export const dataPathApis = [
  'produce',
  'produce_stream',
  'produce_records',
  'fetch',
  'fetch_stream',
  'fetch_records',
  'fetch_records_stream',
] as const;
export type DataPathApi = (typeof dataPathApis)[number];

/** Running totals of this node's data path, for the console's rates. */
export interface DataPathTotals {
  readonly produceRecords: number;
  readonly produceBytes: number;
  readonly fetchRecords: number;
  readonly fetchBytes: number;
}

/** What the gRPC services report per produce or fetch the node served (src/server/services). */
export interface DataPathMeter {
  produced(api: DataPathApi, records: number, bytes: number, seconds: number): void;
  fetched(api: DataPathApi, records: number, bytes: number, seconds: number): void;
  totals(): DataPathTotals;
}

// From a local fsync (~0.5 ms) to a produce waiting out a slow quorum or a long-poll fetch.
const latencyBucketsSeconds = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

interface Direction {
  readonly records: Counter<'api'>;
  readonly bytes: Counter<'api'>;
  readonly latency: Histogram<'api'>;
}

/** Produce and fetch counters and latency histograms, labelled by API, in one registry. */
export class PromDataPathMeter implements DataPathMeter {
  private readonly produce: Direction;
  private readonly fetch: Direction;
  private readonly sums = { produceRecords: 0, produceBytes: 0, fetchRecords: 0, fetchBytes: 0 };

  constructor(registry: Registry) {
    this.produce = direction(registry, 'produce', 'appended (acknowledged by this node as leader)');
    this.fetch = direction(registry, 'fetch', 'served to fetchers');
  }

  produced(api: DataPathApi, records: number, bytes: number, seconds: number): void {
    this.sums.produceRecords += records;
    this.sums.produceBytes += bytes;
    observe(this.produce, api, records, bytes, seconds);
  }

  fetched(api: DataPathApi, records: number, bytes: number, seconds: number): void {
    this.sums.fetchRecords += records;
    this.sums.fetchBytes += bytes;
    observe(this.fetch, api, records, bytes, seconds);
  }

  totals(): DataPathTotals {
    return { ...this.sums };
  }
}

function direction(registry: Registry, name: string, what: string): Direction {
  const registers = [registry];
  return {
    records: new Counter({
      name: `raftlog_${name}_records_total`,
      help: `Records ${what}`,
      labelNames: ['api'],
      registers,
    }),
    bytes: new Counter({
      name: `raftlog_${name}_bytes_total`,
      help: `RecordBatch bytes ${what}`,
      labelNames: ['api'],
      registers,
    }),
    latency: new Histogram({
      name: `raftlog_${name}_latency_seconds`,
      help: `Time this node took for one ${name} call on a partition`,
      labelNames: ['api'],
      buckets: latencyBucketsSeconds,
      registers,
    }),
  };
}

function observe(d: Direction, api: DataPathApi, records: number, bytes: number, seconds: number): void {
  d.records.inc({ api }, records);
  d.bytes.inc({ api }, bytes);
  d.latency.observe({ api }, seconds);
}
