import { RaftlogError } from '../../../lib/index.js';

/** Bounds the client-facing services put on requests, so one client cannot exhaust a node. */
export interface ServiceLimits {
  /** Largest RecordBatch accepted by Produce (the topic's maxMessageBytes is checked by the node). */
  readonly produceBatchBytesMax: number;
  /** Longest timeout_ms a producer may ask for; larger values are clamped. */
  readonly produceTimeoutMsMax: number;
  /** Batches of one ProduceStream read but not yet answered; beyond it the stream is not read. */
  readonly produceStreamInflightMax: number;
  /** Bytes of those batches; one batch is always admitted, so a large batch cannot stall a stream. */
  readonly produceStreamInflightBytesMax: number;
  /** Response size when a fetch sets max_bytes = 0. */
  readonly fetchBytesMaxDefault: number;
  /** Largest max_bytes honoured; larger requests are clamped. */
  readonly fetchBytesMax: number;
  /** Longest long poll of a Fetch; larger max_wait_ms are clamped. */
  readonly fetchWaitMsMax: number;
  /** Partitions one Fetch may name. */
  readonly fetchPartitionsMax: number;
  /** Partitions one FetchStream may follow. */
  readonly fetchStreamPartitionsMax: number;
  /** Shortest heartbeat_interval_ms honoured; smaller values are raised to it. */
  readonly fetchStreamHeartbeatMsMin: number;
  /**
   * Shortest pause between two waits of one long poll. A partition whose visible end moved for
   * read_uncommitted but not for read_committed wakes a waiter at once; this keeps that from spinning.
   */
  readonly fetchRepollMsMin: number;
  /** Topics one Metadata request may name. */
  readonly metadataTopicsMax: number;
  /** ProduceStream and FetchStream calls open at once on the node; beyond it RESOURCE_EXHAUSTED. */
  readonly clientStreamsMax: number;
  /** Of those, on one client connection. */
  readonly clientStreamsPerConnectionMax: number;
  /** Entries one ListOffsets request may hold (repeats included; they are looked up once). */
  readonly listOffsetsPartitionsMax: number;
  /** Records one ProduceRecords request may hold. */
  readonly produceRecordsMax: number;
  /** Records per FetchRecords response when max_records = 0. */
  readonly fetchRecordsDefault: number;
  /** Largest max_records honoured; larger requests are clamped. */
  readonly fetchRecordsMax: number;
  /** Leader channels kept open by a node forwarding ProduceRecords. */
  readonly forwardChannelsMax: number;
}

const mib = 1024 * 1024;

export const defaultServiceLimits: ServiceLimits = {
  produceBatchBytesMax: 8 * mib,
  produceTimeoutMsMax: 120_000,
  produceStreamInflightMax: 256,
  produceStreamInflightBytesMax: 16 * mib,
  fetchBytesMaxDefault: mib,
  fetchBytesMax: 8 * mib,
  fetchWaitMsMax: 30_000,
  fetchPartitionsMax: 1_000,
  fetchStreamPartitionsMax: 1_000,
  fetchStreamHeartbeatMsMin: 50,
  fetchRepollMsMin: 10,
  metadataTopicsMax: 10_000,
  clientStreamsMax: 1_024,
  clientStreamsPerConnectionMax: 64,
  listOffsetsPartitionsMax: 1_000,
  produceRecordsMax: 10_000,
  fetchRecordsDefault: 1_000,
  fetchRecordsMax: 10_000,
  forwardChannelsMax: 64,
};

/** Fills in defaults and refuses a limit that is not a positive integer, naming it. */
export function resolveServiceLimits(overrides: Partial<ServiceLimits> = {}): ServiceLimits {
  const limits: ServiceLimits = { ...defaultServiceLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || (value as number) <= 0) {
      throw new RaftlogError(
        'INVALID_ARGUMENT',
        `service limit ${name} must be a positive integer, got ${value}`,
      );
    }
  }
  if (limits.fetchBytesMaxDefault > limits.fetchBytesMax) {
    throw new RaftlogError('INVALID_ARGUMENT', 'service limit fetchBytesMaxDefault exceeds fetchBytesMax');
  }
  if (limits.clientStreamsPerConnectionMax > limits.clientStreamsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      'service limit clientStreamsPerConnectionMax exceeds clientStreamsMax',
    );
  }
  return limits;
}
