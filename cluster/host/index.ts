export type { GroupStateMachine } from './group-state-machine.js';
export {
  assertHostBudgets,
  frameBudgets,
  hostDefaults,
  proposalBytesMax,
  resolveHostConfig,
  type HostConfig,
} from './host-config.js';
export { keepaliveGroupId, MultiRaftHost, type GroupMessage, type MessageSender } from './multi-raft-host.js';
export { RaftGroup, type Proposal } from './raft-group.js';
export { RaftEventCounter, type RaftEventCounts } from './raft-events.js';
