export { Recorder } from './recorder.js';
export { Sender } from './sender.js';
export { Poller, type PollerOptions } from './poller.js';
export { LeaderMonitor, type MonitoredNode } from './leader-monitor.js';
export { keyRef, type KeyRef } from './key-ref.js';
export { sendOutcome } from './outcome.js';
