import { assert } from '../../lib/index.js';
import { messageBytesMaxDefault } from '../rpc/index.js';
import { frameOverheadBytes } from './message-size.js';

/** Every bound of the peer transport; all per peer. */
export interface TransportLimits {
  /** Largest frame (RaftRequest) sent, by the encoded-size upper bound of its messages. */
  frameBytesMax: number;
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

export const defaultTransportLimits: Readonly<TransportLimits> = {
  frameBytesMax: 1024 * 1024,
  queueBytesMax: 16 * 1024 * 1024,
  queueFramesMax: 1024,
  windowFrames: 128,
  windowBytes: 8 * 1024 * 1024,
  reconnectDelayMsMin: 20,
  reconnectDelayMsMax: 1000,
  helloTimeoutMs: 1000,
};

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
  assert(
    limits.frameBytesMax + frameOverheadBytes <= messageBytesMaxDefault,
    'a frame must fit in a gRPC message',
  );
  return limits;
}
