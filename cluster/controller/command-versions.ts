import type { ControllerCommand, ControllerCommandType, ControllerState } from './controller-types.js';
import { requireClusterVersion } from '../../lib/index.js';

/**
 * The cluster version each controller command type belongs to: the leader proposes one only once
 * that version is active. A new type gets the version of the build that adds it, so the table cannot
 * leave one out. Every type before the active version existed was read by the build that announced
 * nothing, hence version 1.
 */
export const controllerCommandVersions = {
  'register-node': 1,
  'set-node-alive': 1,
  'unregister-node': 1,
  'create-topic': 1,
  'create-topics': 1,
  'update-topic-config': 1,
  'add-partitions': 1,
  'delete-topic': 1,
  'add-replica': 1,
  'remove-replica': 1,
  'complete-reassignment': 1,
  'reassign-partition': 1,
  'decommission-node': 1,
  'finish-node-removal': 1,
  'allocate-producer-ids': 1,
  'init-transactional-id': 1,
  'expire-transactional-ids': 1,
  group: 1,
  'add-partitions-to-txn': 1,
  'add-offsets-to-txn': 1,
  'txn-offset-commit': 1,
  'prepare-end-txn': 1,
  'complete-end-txn': 1,
  'abort-timed-out-txn': 1,
  'upsert-user': 1,
  'delete-user': 1,
  'add-acls': 1,
  'remove-acls': 1,
  'set-quota': 1,
  'init-token-key': 1,
  'raise-active-version': 2,
} as const satisfies Record<ControllerCommandType, number>;

/**
 * Refuses (UNAVAILABLE, retriable) a command of a version the cluster has not activated.
 * raise-active-version is the one exception: it is what activates its own version, and the leader
 * proposes it only once every member node announced the version it raises to.
 */
export function requireCommandActive(
  state: ControllerState,
  command: ControllerCommand,
  versions: Readonly<Record<string, number>> = controllerCommandVersions,
): void {
  if (command.type === 'raise-active-version') return;
  requireClusterVersion(state.activeVersion, versions[command.type] ?? 1, 'controller command', command.type);
}
