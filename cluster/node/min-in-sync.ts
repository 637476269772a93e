import { RaftlogError } from '../../lib/index.js';
import type { ProduceInput } from './node-api.js';
import type { LocalPartition } from './partition-ops.js';
import { inSyncReplicas, type HeardFrom } from './views.js';

/**
 * Refuses an acks=quorum write, before it is proposed, while fewer replicas than the topic's
 * min.insync.replicas are in sync, as Kafka refuses acks=all. A Raft majority still decides when a
 * write commits; this lets a topic ask that a write never lands while redundancy is already lost.
 * Nothing was appended, so the producer may retry (NOT_ENOUGH_REPLICAS is retriable).
 */
export function checkMinInSync(
  leader: LocalPartition,
  input: ProduceInput,
  minInsyncReplicas: number,
  heardFrom: HeardFrom,
): void {
  if (input.acks !== 'quorum' || minInsyncReplicas <= 1) return;
  const inSync = inSyncReplicas(leader, heardFrom);
  if (inSync.length >= minInsyncReplicas) return;
  throw new RaftlogError(
    'NOT_ENOUGH_REPLICAS',
    `${input.topic}/${input.partition}: ${inSync.length} replicas in sync (${inSync.join(',')}), ` +
      `the topic's min.insync.replicas is ${minInsyncReplicas}`,
  );
}
