import { assert } from '../../lib/index.js';
import { messageBytesMaxDefault } from '../../rpc/index.js';
import { frameOverheadBytes } from './message-size.js';

/** Every bound of the peer transport; all per peer. */
export interface TransportLimits {
  /**
   * Largest frame (RaftRequest) sent, by the encoded-size upper bound of its messages. One message
   * never exceeds it: the host derives its append, snapshot-chunk and proposal budgets from it.
   */
  frameBytesMax: number;
  /** gRPC's message size limit on this channel and on the peers' servers; a frame must fit in it. */
  grpcMessageBytesMax: number;
  /** Bytes waiting to be written; what does not fit is dropped and reported unreachable. */
  queueBytesMax: number;
  /** Frames waiting to be written. */
  queueFramesMax: number;
  /** Frames written but not yet acknowledged (the receiver advertises its own). */
  windowFrames: number;
  /** Bytes written but not yet acknowledged. */
  windowBytes: number;
  reconnectDelayMsMin: number;
  reconnectDelayMsMax: number;
  /** A Hello that takes longer counts as a failed dial (a silent partition looks like this). */
  helloTimeoutMs: number;
}

const mib = 1024 * 1024;

export const defaultTransportLimits: Readonly<TransportLimits> = {
  // A produced batch travels as one entry in one frame: the largest a topic allows (maxMessageBytes,
  // 8 MiB at most) must fit with room to spare.
  frameBytesMax: 9 * mib,
  grpcMessageBytesMax: messageBytesMaxDefault,
  queueBytesMax: 16 * 1024 * 1024,
  queueFramesMax: 1024,
  windowFrames: 128,
  windowBytes: 16 * mib,
  reconnectDelayMsMin: 20,
  reconnectDelayMsMax: 1000,
  helloTimeoutMs: 1000,
};

/** The largest frame that fits in a gRPC message of `grpcMessageBytesMax`, within the default. */
export function frameBytesMaxFor(grpcMessageBytesMax: number): number {
  return Math.min(defaultTransportLimits.frameBytesMax, grpcMessageBytesMax - frameOverheadBytes);
}

/**
 * A refused dial is answered at once by the peer's kernel and costs nothing to repeat, and a restarted
 * peer should be back in the cluster as soon as it listens: such retries back off only up to this.
 */
export const refusedReconnectDelayMsMax = 50;

export function resolveLimits(overrides: Partial<TransportLimits> = {}): TransportLimits {
  const limits = { ...defaultTransportLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    assert(Number.isSafeInteger(value) && value > 0, `${name} must be a positive integer: ${value}`);
  }
  assert(limits.reconnectDelayMsMin <= limits.reconnectDelayMsMax, 'reconnectDelayMsMin exceeds the max');
  assert(limits.frameBytesMax <= limits.queueBytesMax, 'a frame must fit in the queue');
  // The receiver acknowledges once a quarter of its window arrived, so up to that much may stay
  // unacknowledged while the sender waits: a larger frame would wait for an acknowledgement that
  // never comes.
  assert(
    limits.frameBytesMax * 4 <= limits.windowBytes * 3,
    `a frame of ${limits.frameBytesMax} bytes must fit in three quarters of windowBytes ${limits.windowBytes}`,
  );
  assert(
    limits.frameBytesMax + frameOverheadBytes <= limits.grpcMessageBytesMax,
    `a frame of ${limits.frameBytesMax} bytes must fit in a gRPC message of ${limits.grpcMessageBytesMax}`,
  );
  return limits;
}
