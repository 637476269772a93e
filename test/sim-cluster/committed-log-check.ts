import type { GroupId, LogIndex, NodeId } from '../../lib/index.js';
import { RaftLogStore, type KvStore } from '../../storage/index.js';
import { BrokerViolation } from './broker-violation.js';

/** The terms of one node's committed entries of one group, as its disk holds them. */
type CommittedTerms = Map<number, number>;

/**
 * Raft's log matching for committed entries, read from every node's disk: two nodes that both hold
 * an entry at an index each has committed hold the same term there. It catches a group that elected a
 * leader without committed entries (a node that forgot its votes voting again) as soon as the
 * overwritten entries exist somewhere, not only when a record goes missing.
 */
export async function checkCommittedLogs(disks: ReadonlyMap<NodeId, KvStore>): Promise<void> {
  const seen = new Map<GroupId, { node: NodeId; terms: CommittedTerms }[]>();
  for (const [node, kv] of disks) {
    for (const [group, terms] of await committedTerms(kv)) {
      const others = seen.get(group) ?? [];
      for (const other of others) compare(group, { node, terms }, other);
      others.push({ node, terms });
      seen.set(group, others);
    }
  }
}

async function committedTerms(kv: KvStore): Promise<Map<GroupId, CommittedTerms>> {
  const store = new RaftLogStore(kv);
  const out = new Map<GroupId, CommittedTerms>();
  for (const group of await store.storedGroups()) {
    const state = await store.load(group);
    const end = Math.min(state.hardState.commit, state.lastIndex);
    const terms: CommittedTerms = new Map();
    await store.scanTerms(group, state.firstIndex, (end + 1) as LogIndex, (i, t) => terms.set(i, t));
    out.set(group, terms);
  }
  return out;
}

function compare(
  group: GroupId,
  a: { node: NodeId; terms: CommittedTerms },
  b: { node: NodeId; terms: CommittedTerms },
): void {
  for (const [index, term] of a.terms) {
    const other = b.terms.get(index);
    if (other !== undefined && other !== term) {
      throw new BrokerViolation(
        'committed entries agree',
        `group ${group} index ${index}: term ${term} on node ${a.node}, term ${other} on node ${b.node}`,
      );
    }
  }
}
