import type { NodeId } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import type { CatchUpContext } from './controller-wait.js';
import { checkMinInSync } from './min-in-sync.js';
import type { NodeClock } from './node-clock.js';
import type {
  FetchInput,
  FetchOutcome,
  ListOffsetInput,
  NodeApi,
  ProduceInput,
  ProduceOutcome,
} from './node-api.js';
import {
  fetchLocal,
  listOffsetLocal,
  produceLocal,
  proposalBatchBytesMax,
  waitLocal,
} from './partition-ops.js';
import type { PartitionRouter } from './partition-router.js';
import { checkTxnBatch, transactionalClaim } from './txn-produce-guard.js';

export interface DataPathDeps {
  readonly router: PartitionRouter;
  readonly store: PartitionStore;
  readonly clock: NodeClock;
  readonly isAlive: (nodeId: NodeId) => boolean;
  /** The largest entry the host guarantees to carry to every follower. */
  readonly proposalBytesMax: () => number;
  /** How a transactional batch checks its transaction with the controller. */
  readonly txnCatchUp: CatchUpContext;
}

/**
 * Produce, fetch and offset lookups: the router picks the local replica (or answers NOT_LEADER), then
 * partition-ops.ts does the work on it. A request flows one way and never asks back.
 */
export class DataPath {
  constructor(private readonly deps: DataPathDeps) {}

  async produce(input: ProduceInput): Promise<ProduceOutcome> {
    const router = this.deps.router;
    let local = router.leaderOf(input.topic, input.partition);
    const { maxMessageBytes, minInsyncReplicas, cleanupPolicy } = router.topicInfo(input.topic).config;
    const verified = await this.checkTransactional(input);
    // The check may have waited for the controller: leadership may have moved meanwhile.
    if (verified) local = router.leaderOf(input.topic, input.partition);
    checkMinInSync(local, input, minInsyncReplicas, this.deps.isAlive);
    return produceLocal(this.deps.clock, local, input, {
      maxMessageBytes,
      proposalBatchBytesMax: proposalBatchBytesMax(this.deps.proposalBytesMax()),
      transactionVerified: verified,
      keysRequired: cleanupPolicy !== 'delete',
    });
  }

  fetch(input: FetchInput): Promise<FetchOutcome> {
    const router = this.deps.router;
    const local =
      input.replicaRead === true
        ? router.replicaOf(input.topic, input.partition)
        : router.leaderOf(input.topic, input.partition);
    return fetchLocal(this.deps.store, local, input);
  }

  /** Resolves when the partition's end passes `offset`, on timeout or abort, or when leadership moves. */
  readonly waitForData: NodeApi['waitForData'] = (topic, partition, offset, timeoutMs, signal) =>
    waitLocal(this.deps.clock, this.deps.router.leaderOf(topic, partition), offset, timeoutMs, signal);

  listOffset(input: ListOffsetInput): Promise<{ offset: number; timestampMs: number }> {
    const local = this.deps.router.leaderOf(input.topic, input.partition);
    return listOffsetLocal(this.deps.store, local, input);
  }

  /** A transactional batch goes in only while the controller shows its transaction open here. */
  private async checkTransactional(input: ProduceInput): Promise<boolean> {
    const claim = transactionalClaim(input);
    if (claim === undefined) return false;
    await checkTxnBatch(this.deps.txnCatchUp, claim);
    return true;
  }
}
