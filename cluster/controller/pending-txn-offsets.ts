import type { ControllerState } from './controller-types.js';
import { isOpenTxnState } from './txn-types.js';

/**
 * Whether an open transaction holds a pending offset of `groupId` for this partition: FetchOffsets
 * with require_stable answers CONCURRENT_TRANSACTIONS (retriable) for it until that transaction ends.
 * A scan of the transactional ids; the groups module calls it for require_stable fetches only.
 */
export function hasPendingTxnOffset(
  state: ControllerState,
  groupId: string,
  topic: string,
  partition: number,
): boolean {
  for (const info of state.transactionalIds.values()) {
    if (!isOpenTxnState(info.state) || !info.groupIds.includes(groupId)) continue;
    if (
      info.pendingOffsets.some((o) => o.groupId === groupId && o.topic === topic && o.partition === partition)
    )
      return true;
  }
  return false;
}
