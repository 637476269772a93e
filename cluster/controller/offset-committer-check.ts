import type { ErrorCode } from '../../lib/index.js';
import type { ControllerState } from './controller-types.js';
import type { TxnPartition } from './txn-types.js';

export interface CommitterRejection {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * May this consumer (generation, member) commit offsets of these partitions for `groupId`? The one
 * rule shared by CommitOffsets and TxnOffsetCommit, so a plain and a transactional commit can never
 * disagree about who may commit. Pure: it runs inside the controller's apply.
 *
 * Generation -1 with an empty member id is a commit without membership (manual assignment, admin
 * tools). Group membership lives with the consumer groups; until it is part of the controller state
 * every committer is accepted, and this body is the single place that changes when it is.
 */
export function checkOffsetCommitter(
  state: ControllerState,
  groupId: string,
  generationId: number,
  memberId: string,
  partitions: readonly TxnPartition[],
): CommitterRejection | undefined {
  void state;
  void groupId;
  void partitions;
  if (generationId === -1 && memberId === '') return undefined;
  return undefined;
}
