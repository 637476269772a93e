import { RaftlogError, type RaftlogErrorOptions } from './raftlog-error.js';

/** Where a partition's log stood when a read was refused. */
export interface LogPositions {
  readonly highWatermark: number;
  readonly lastStableOffset: number;
  readonly logStartOffset: number;
}

/**
 * A read outside [log start, high watermark]. It carries the partition's positions because a client
 * can only reset its position (to the earliest or the latest offset) if it learns them, as Kafka's
 * fetch answers them with the error.
 */
export class OffsetOutOfRangeError extends RaftlogError {
  override readonly name = 'OffsetOutOfRangeError';
  readonly positions: LogPositions;

  constructor(message: string, positions: LogPositions, options: RaftlogErrorOptions = {}) {
    super('OFFSET_OUT_OF_RANGE', message, options);
    this.positions = positions;
  }
}
