import { RaftlogError } from '../lib/index.js';

/** The requested index is below the first kept entry: the caller needs the snapshot instead. */
export class LogCompactedError extends RaftlogError {
  override readonly name = 'LogCompactedError';
  constructor(
    readonly group: number,
    readonly index: number,
    readonly firstIndex: number,
  ) {
    super('OFFSET_OUT_OF_RANGE', `group ${group}: index ${index} is compacted (log starts at ${firstIndex})`);
  }
}

/** The requested index is beyond the last stored entry. */
export class LogUnavailableError extends RaftlogError {
  override readonly name = 'LogUnavailableError';
  constructor(
    readonly group: number,
    readonly index: number,
    readonly lastIndex: number,
  ) {
    super('OFFSET_OUT_OF_RANGE', `group ${group}: index ${index} is beyond the last entry ${lastIndex}`);
  }
}
