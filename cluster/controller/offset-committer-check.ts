import type { ErrorCode } from '../../lib/index.js';
import type { ControllerState } from './controller-types.js';
import { setHas } from './partition-set.js';

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
 * tools): accepted only while the group has no members, so it cannot overwrite a live member's
 * progress. Otherwise the member must exist and own every partition it commits, so a zombie (expired)
 * or a member that already released a partition cannot move its offset. An older generation than the
 * current one is accepted (it moves during incremental rebalances while the member keeps its
 * partitions); one the group never had is not.
 */
export function checkOffsetCommitter(
  state: ControllerState,
  groupId: string,
  generationId: number,
  memberId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): CommitterRejection | undefined {
  const group = state.groups.get(groupId);
  if (generationId === -1 && memberId === '') {
    const members = group?.members.size ?? 0;
    if (members === 0) return undefined;
    return {
      code: 'INVALID_ARGUMENT',
      message: `group '${groupId}' has ${members} members; commit as one of them (generation and member id)`,
    };
  }
  const member = group?.members.get(memberId);
  if (group === undefined || member === undefined) {
    return { code: 'UNKNOWN_MEMBER_ID', message: `group '${groupId}' has no member '${memberId}'` };
  }
  if (generationId < 1 || generationId > group.generation) {
    return {
      code: 'ILLEGAL_GENERATION',
      message: `group '${groupId}' never had generation ${generationId} (it is at ${group.generation})`,
    };
  }
  const foreign = partitions.find((p) => !setHas(member.owned, p));
  if (foreign !== undefined) {
    return {
      code: 'ILLEGAL_GENERATION',
      message: `member '${memberId}' does not own ${foreign.topic}/${foreign.partition}`,
    };
  }
  return undefined;
}
