import { RaftlogError } from '../../lib/index.js';
import {
  isOpenTxnState,
  isPrepareState,
  type ControllerCommand,
  type ControllerOutput,
  type ControllerState,
  type TransactionalIdInfo,
  type TxnPartition,
} from '../controller/index.js';
import { waitForController } from './controller-wait.js';
import type { ControllerReplica } from './controller-replica.js';
import type { NodeClock } from './node-clock.js';
import type {
  MarkerRequest,
  PartitionOutcome,
  ProducerIdentity,
  TransactionsApi,
  TxnOffsetCommitInput,
  TxnProducer,
  TxnView,
} from './txn-api.js';

export interface TxnServicePorts {
  readonly clock: NodeClock;
  readonly controller: ControllerReplica;
  /** Proposes on (or forwards to) the controller leader; resolves once applied here. */
  readonly propose: (command: ControllerCommand) => Promise<ControllerOutput>;
  readonly writeMarkers: (request: MarkerRequest) => Promise<PartitionOutcome[]>;
  /** Waits until this node's controller replica has everything the leader had committed. */
  readonly catchUp: () => Promise<void>;
}

/** How long InitProducer and EndTxn wait for the coordinator to finish an end before answering. */
export const txnEndWaitMsMax = 30_000;

function partitionError(state: ControllerState, p: TxnPartition): RaftlogError | undefined {
  const topic = state.topics.get(p.topic);
  if (topic === undefined) return new RaftlogError('TOPIC_NOT_FOUND', `topic '${p.topic}' does not exist`);
  if (topic.partitions[p.partition] === undefined) {
    return new RaftlogError('PARTITION_NOT_FOUND', `topic '${p.topic}' has no partition ${p.partition}`);
  }
  return undefined;
}

/** The transaction RPCs of one node over the replicated controller state. */
export class TxnService implements TransactionsApi {
  constructor(private readonly ports: TxnServicePorts) {}

  async initProducer(transactionalId: string, transactionTimeoutMs: number): Promise<ProducerIdentity> {
    const deadline = this.ports.clock.now() + txnEndWaitMsMax;
    for (;;) {
      const output = await this.ports
        .propose({ type: 'init-transactional-id', transactionalId, transactionTimeoutMs })
        .catch((error: unknown) => {
          // An end in progress: wait for the coordinator to finish it, then init again.
          if (error instanceof RaftlogError && error.code === 'CONCURRENT_TRANSACTIONS') return undefined;
          throw error;
        });
      if (output?.type === 'producer-epoch') {
        // A fenced instance's open transaction is being aborted: answer once it is.
        await this.awaitNotPreparing(transactionalId, deadline);
        return { producerId: output.producerId, epoch: output.epoch };
      }
      await this.awaitNotPreparing(transactionalId, deadline);
    }
  }

  private async awaitNotPreparing(transactionalId: string, deadline: number): Promise<void> {
    const settled = (s: ControllerState): boolean => {
      const info = s.transactionalIds.get(transactionalId);
      return info === undefined || !isPrepareState(info.state);
    };
    const left = deadline - this.ports.clock.now();
    if (
      left <= 0 ||
      (await waitForController(this.ports.controller, this.ports.clock, settled, left)) === undefined
    ) {
      throw new RaftlogError(
        'CONCURRENT_TRANSACTIONS',
        `the last transaction of '${transactionalId}' is still being ended; retry`,
      );
    }
  }

  async addPartitions(
    input: TxnProducer & { partitions: readonly TxnPartition[] },
  ): Promise<PartitionOutcome[]> {
    const judge = () =>
      input.partitions.map((p) => ({ ...p, error: partitionError(this.ports.controller.state, p) }));
    let judged = judge();
    // A topic created a moment ago through another node may not have reached this replica yet.
    if (judged.some((p) => p.error !== undefined)) {
      await this.ports.catchUp();
      judged = judge();
    }
    const valid = judged
      .filter((p) => p.error === undefined)
      .map(({ topic, partition }) => ({ topic, partition }));
    if (valid.length > 0) {
      await this.ports.propose({ type: 'add-partitions-to-txn', ...producer(input), partitions: valid });
    }
    return judged.map(({ topic, partition, error }) =>
      error ? { topic, partition, error } : { topic, partition },
    );
  }

  async addOffsets(input: TxnProducer & { groupId: string }): Promise<void> {
    await this.ports.propose({ type: 'add-offsets-to-txn', ...producer(input), groupId: input.groupId });
  }

  async commitOffsets(input: TxnOffsetCommitInput): Promise<PartitionOutcome[]> {
    await this.ports.propose({
      type: 'txn-offset-commit',
      ...producer(input),
      groupId: input.groupId,
      generationId: input.generationId,
      memberId: input.memberId,
      offsets: input.offsets,
    });
    return input.offsets.map(({ topic, partition }) => ({ topic, partition }));
  }

  async endTxn(input: TxnProducer & { commit: boolean }): Promise<void> {
    await this.ports.propose({ type: 'prepare-end-txn', ...producer(input), commit: input.commit });
    const wanted = input.commit ? 'complete-commit' : 'complete-abort';
    const finished = (s: ControllerState): boolean => {
      const info = s.transactionalIds.get(input.transactionalId);
      return (
        info === undefined ||
        info.producerId !== input.producerId ||
        info.epoch !== input.epoch ||
        !isPrepareState(info.state)
      );
    };
    const state = await waitForController(this.ports.controller, this.ports.clock, finished, txnEndWaitMsMax);
    if (state === undefined) {
      throw new RaftlogError(
        'TIMEOUT',
        'the markers are still being written; retry EndTxn with the same decision',
      );
    }
    const info = state.transactionalIds.get(input.transactionalId);
    if (info?.producerId === input.producerId && info.epoch === input.epoch && info.state === wanted) return;
    if (info?.producerId === input.producerId && info.epoch === input.epoch && info.state === 'ongoing')
      return;
    throw new RaftlogError(
      'PRODUCER_FENCED',
      `transactional id '${input.transactionalId}' moved on while its transaction ended`,
    );
  }

  list(filter: { states: readonly string[]; minAgeMs: number }): TxnView[] {
    const now = this.ports.clock.now();
    return [...this.ports.controller.state.transactionalIds.values()]
      .map((info) => view(info, now))
      .filter((v) => filter.states.length === 0 || filter.states.includes(v.state))
      .filter((v) => filter.minAgeMs <= 0 || (v.startedAtMs > 0 && v.ageMs >= filter.minAgeMs))
      .sort((a, b) =>
        a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0,
      );
  }

  describe(transactionalIds: readonly string[]): TxnView[] {
    const now = this.ports.clock.now();
    const ids = this.ports.controller.state.transactionalIds;
    return transactionalIds.flatMap((id) => {
      const info = ids.get(id);
      return info === undefined ? [] : [view(info, now)];
    });
  }

  writeMarkers(request: MarkerRequest): Promise<PartitionOutcome[]> {
    return this.ports.writeMarkers(request);
  }
}

function producer(input: TxnProducer): TxnProducer {
  return { transactionalId: input.transactionalId, producerId: input.producerId, epoch: input.epoch };
}

function view(info: TransactionalIdInfo, now: number): TxnView {
  const open = isOpenTxnState(info.state) && info.startedAtMs > 0;
  return {
    transactionalId: info.transactionalId,
    producerId: info.producerId,
    epoch: info.epoch,
    state: info.state,
    partitions: info.partitions,
    groupIds: info.groupIds,
    startedAtMs: open ? info.startedAtMs : 0,
    ageMs: open ? Math.max(0, now - info.startedAtMs) : 0,
    transactionTimeoutMs: info.transactionTimeoutMs,
  };
}
