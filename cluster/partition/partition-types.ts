import type { ErrorCode } from '../../lib/index.js';
import type {
  LeaseGranted,
  QueueDeleteCommand,
  QueueLeaseCommand,
  QueueSettleCommand,
  SettleOutcome,
} from './queue-types.js';

/** What the producer asked to wait for; carried through the log so any replica can answer for it. */
export type Acks = 'none' | 'leader' | 'quorum';

export type PartitionCommand =
  /** `batch` is an encoded RecordBatch; its baseOffset field is ignored (the state machine assigns one). */
  | { readonly type: 'append'; readonly acks: Acks; readonly batch: Uint8Array }
  /** Retention or a delete-records request moved the log start; older aborted ranges can go. */
  | { readonly type: 'set-log-start-offset'; readonly logStartOffset: number }
  /**
   * The leader's key compaction decision for a compacted topic: below `upToOffset` only the newest
   * record of each key stays, and a newest record that is a tombstone below `tombstonesBeforeOffset`
   * goes too. Every replica's store works toward the latest one in the background.
   */
  | {
      readonly type: 'compact';
      readonly upToOffset: number;
      readonly tombstonesBeforeOffset: number;
    }
  | QueueLeaseCommand
  | QueueSettleCommand
  | QueueDeleteCommand;

/** What compaction the replicated state asks of every replica's store (zeros: none). */
export interface CompactionBounds {
  readonly upToOffset: number;
  readonly tombstonesBeforeOffset: number;
}

export interface PartitionEntry {
  /** Stamped by the leader when it proposes: the log-append time of the batch on every replica. */
  readonly timestampMs: number;
  readonly command: PartitionCommand;
}

export interface ApplyContext {
  readonly index: number;
  readonly timestampMs: number;
}

export type PartitionResult =
  | {
      readonly ok: true;
      readonly type: 'appended';
      readonly baseOffset: number;
      readonly lastOffset: number;
      /** The leader's timestamp of this append; -1 for a duplicate (its first append time is not kept). */
      readonly logAppendTimeMs: number;
      /** True when the batch was already in the log: nothing new to store, the offsets are the original ones. */
      readonly duplicate: boolean;
      /** The batch bytes to store at `baseOffset` (a view into the entry; empty for a duplicate). */
      readonly batch: Uint8Array;
    }
  | { readonly ok: true; readonly type: 'log-start-offset'; readonly logStartOffset: number }
  | ({ readonly ok: true; readonly type: 'compaction' } & CompactionBounds)
  | { readonly ok: true; readonly type: 'queue-leased'; readonly granted: readonly LeaseGranted[] }
  | { readonly ok: true; readonly type: 'queue-settled'; readonly outcomes: readonly SettleOutcome[] }
  | { readonly ok: true; readonly type: 'queue-deleted' }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
  /** The offset of the abort marker: read_committed readers skip this producer's batches up to it. */
  readonly lastOffset: number;
}

/**
 * Part of the replicated state (kept in snapshots), not per-node settings: replicas with different
 * horizons would answer the same retried batch differently.
 */
export interface PartitionLimits {
  /** Recent batches remembered per producer to answer retries with their original offsets. */
  readonly dedupHorizonBatches: number;
  /**
   * A producer not heard from for this long (by the leader timestamps in the entries, so every
   * replica expires it at the same entry) is forgotten, as Kafka's producer id expiration does.
   */
  readonly producerIdleMsMax: number;
  /**
   * Memory for producer state (`producerEntryBytes` each plus `producerBatchBytes` per remembered
   * batch); beyond it the idlest producer without an open transaction is forgotten.
   */
  readonly producerStateBytesMax: number;
  readonly openTransactionsMax: number;
}

export const defaultPartitionLimits: PartitionLimits = {
  dedupHorizonBatches: 1000,
  producerIdleMsMax: 24 * 60 * 60 * 1000,
  producerStateBytesMax: 32 * 1024 * 1024,
  openTransactionsMax: 500,
};

export const partitionLimitsMax: PartitionLimits = {
  dedupHorizonBatches: 100_000,
  producerIdleMsMax: 365 * 24 * 60 * 60 * 1000,
  producerStateBytesMax: 1024 * 1024 * 1024,
  openTransactionsMax: 100_000,
};

/** Accounted cost of one tracked producer and of each batch it remembers (a deterministic estimate). */
export const producerEntryBytes = 96;
export const producerBatchBytes = 40;
