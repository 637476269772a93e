import type { Clock } from '../../lib/index.js';

/** The node's time: the kernel's injected `Clock` (src/server gives the real one, a simulator its own). */
export type NodeClock = Clock;
