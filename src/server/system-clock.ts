import type { Clock } from '../../lib/index.js';
import { wireClock } from '../../rpc/index.js';

/**
 * The process's wall clock and timers, handed to the node (nothing below src/ reads them itself): the
 * very clock grpc-js keeps call deadlines by, so the node's times and its calls' deadlines agree.
 */
export const systemClock: Clock = wireClock;
