import type { RecordHeader } from '../../lib/index.js';

export type { RecordHeader };

/** How durable a write must be before its promise resolves (see Acks in broker.proto). */
export type AcksMode = 'none' | 'leader' | 'quorum';

export interface ProducerRecord {
  readonly topic: string;
  readonly value: Uint8Array | string | null;
  readonly key?: Uint8Array | string | null;
  readonly headers?: readonly RecordHeader[];
  /** Skips the partitioner. */
  readonly partition?: number;
  /** Defaults to the time of send(). */
  readonly timestampMs?: number;
  /**
   * Delayed delivery (ms since the epoch): queue consumers do not see the record before then. Sets
   * the `raftlog-deliver-at-ms` header; plain consumers read the record at once, as always.
   */
  readonly deliverAtMs?: number;
}

export interface RecordAck {
  readonly partition: number;
  readonly offset: number;
}

export interface ConsumerRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** Views into the fetched bytes, not copies. */
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly headers: readonly RecordHeader[];
  readonly timestampMs: number;
}

export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** Where a consumer starts in a partition: a position or an absolute offset. */
export type StartPosition = 'earliest' | 'latest' | number;
