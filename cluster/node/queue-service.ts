import { RaftlogError } from '../../lib/index.js';
import type { PartitionStore } from '../../storage/index.js';
import {
  queueLimits,
  validateQueueGroupName,
  type PartitionResult,
  type QueueDeleteCommand,
  type QueueSettleCommand,
} from '../partition/index.js';
import type { Proposal } from '../host/index.js';
import { noteRequestGroup } from '../../rpc/index.js';
import type { NodeClock } from './node-clock.js';
import type { LocalPartition } from './partition-ops.js';
import type {
  DeadLetterCandidate,
  GroupDeletion,
  GroupListing,
  LeaseInput,
  LeaseOutcome,
  LeasedRecord,
  OpResult,
  QueueApi,
  QueueStatsView,
  SettleInput,
  SettleOpInput,
} from './queue-api.js';
import { LeaseOverlays, type LeaseOverlay } from './lease-overlay.js';
import { QueueLeaseLocks } from './queue-lease-locks.js';
import {
  leaseAnswerBytes,
  leaseAnswerBytesMax,
  leaseBytesMax,
  leasedRecordBytes,
  LeasePlanner,
  type LeasePlan,
} from './queue-planner.js';
import type { QueueSettings } from './queue-settings.js';
import { queueStatsOf } from './queue-stats.js';
import { markQueues, waitForQueueWork } from './queue-wait.js';
import type { TxnBatchClaim } from './txn-produce-guard.js';
import { eachPartition } from './each-partition.js';
import { proposePartitionEntry } from './propose-partition.js';
import { within } from './within.js';

export interface QueueServiceDeps {
  /** The local replica of a partition this node leads, or NOT_LEADER. */
  leaderOf(topic: string, partition: number): LocalPartition;
  /** Partitions of `topic` this node leads now. */
  ledPartitions(topic: string): number[];
  /** How many partitions `topic` has (TOPIC_NOT_FOUND otherwise). */
  partitionCount(topic: string): number;
  settings(topic: string): QueueSettings;
  readonly store: PartitionStore;
  readonly clock: NodeClock;
  /** Resolves once the controller shows the transaction open with this partition; throws otherwise. */
  checkTransaction(claim: TxnBatchClaim): Promise<void>;
}

interface LeaseAsk {
  readonly local: LocalPartition;
  readonly partition: number;
  readonly queue: string;
  readonly maxMessages: number;
  readonly bytesMax: number;
  readonly answerEmpty: boolean;
  readonly leaseMs: number;
  readonly settings: QueueSettings;
}

export const queueRequestLimits = {
  messagesMax: 1_000,
  waitMsMax: 20_000,
  applyTimeoutMs: 10_000,
} as const;

/** Lease planning, proposal and answers for queue consumption on the partitions this node leads. */
export class QueueService implements QueueApi {
  private readonly locks = new QueueLeaseLocks();
  private readonly overlays = new LeaseOverlays();
  private rotation = 0;

  constructor(private readonly deps: QueueServiceDeps) {}

  async lease(input: LeaseInput): Promise<readonly LeasedRecord[]> {
    checkLease(input);
    const settings = this.deps.settings(input.topic);
    const leaseMs = input.visibilityTimeoutMs > 0 ? input.visibilityTimeoutMs : settings.visibilityTimeoutMs;
    const deadline = this.deps.clock.now() + input.waitMs;
    for (;;) {
      // Room for the largest answer before anything is leased: leased and then refused for want of
      // room, the messages would stay hidden from every consumer for their visibility timeout.
      const room = await input.holdAnswerBytes(leaseAnswerBytesMax);
      const partitions =
        input.partitions.length > 0 ? input.partitions : this.deps.ledPartitions(input.topic);
      const locals = partitions.map((p) => ({ partition: p, local: this.deps.leaderOf(input.topic, p) }));
      const groups = locals.map(({ local }) => ({ local, queue: input.queue }));
      const marks = markQueues(groups);
      const outcome = await this.leaseRound(input, locals, settings, leaseMs);
      // The answer keeps what it carries until it went out; a round that leased nothing waits holding none.
      if (outcome.messages.length === 0) room.release();
      else room.resizeTo(leaseAnswerBytes(outcome.messages.map((m) => m.record)));
      // Moved before the call goes on waiting, so an empty answer still means wait_ms passed.
      if (outcome.deadLetters.length > 0) await input.moveDeadLetters(outcome.deadLetters);
      const remaining = deadline - this.deps.clock.now();
      if (outcome.messages.length > 0 || remaining <= 0 || input.signal.aborted) return outcome.messages;
      if (outcome.deadLetters.length > 0) continue;
      await waitForQueueWork(groups, marks, this.deps.clock, remaining, input.signal);
      // A consumer that gave up must not be leased what arrived as it left: nobody would see it
      // before its visibility timeout, and the delivery would count toward max deliveries.
      if (input.signal.aborted) return [];
      // A group deleted while the call waited: leasing again would make a new group behind its back.
      if (
        groups.some(
          ({ local, queue }, i) =>
            marks[i]?.group !== undefined && local.replica.state.queues.group(queue) !== marks[i]?.group,
        )
      ) {
        return [];
      }
    }
  }

  private async leaseRound(
    input: LeaseInput,
    locals: readonly { partition: number; local: LocalPartition }[],
    settings: QueueSettings,
    leaseMs: number,
  ): Promise<LeaseOutcome> {
    const messages: LeasedRecord[] = [];
    const deadLetters: DeadLetterCandidate[] = [];
    const start = this.rotation++ % Math.max(1, locals.length);
    let bytes = 0;
    for (let i = 0; i < locals.length && messages.length < input.maxMessages && bytes < leaseBytesMax; i++) {
      const { partition, local } = locals[(start + i) % locals.length]!;
      const wanted = input.maxMessages - messages.length;
      const bytesMax = leaseBytesMax - bytes;
      const answerEmpty = messages.length === 0;
      const ask = {
        local,
        partition,
        queue: input.queue,
        maxMessages: wanted,
        bytesMax,
        answerEmpty,
        leaseMs,
        settings,
      };
      const got = await this.leaseOne(ask);
      messages.push(...got.messages);
      deadLetters.push(...got.deadLetters);
      for (const m of got.messages) bytes += leasedRecordBytes(m.record);
    }
    return { messages, deadLetters };
  }

  /** A plan refused as stale (the scan moved under it, e.g. retention) is made once more. */
  private async leaseOne(ask: LeaseAsk): Promise<LeaseOutcome> {
    for (let attempt = 0; ; attempt++) {
      const result = await this.leaseAttempt(ask);
      if (result === undefined) return { messages: [], deadLetters: [] };
      const [plan, applied] = result;
      if (applied.ok && applied.type === 'queue-leased') {
        return answer(plan, applied.granted, ask.partition, ask.settings);
      }
      if (!applied.ok && applied.code === 'UNAVAILABLE' && attempt === 0) continue;
      throw resultError(applied);
    }
  }

  /**
   * Plans and proposes under the group's lock, then waits for the commit outside it, so leases of
   * one group pipeline through Raft (LeaseOverlay). Per-key order needs every earlier lease applied
   * before the next plan judges which message heads its key: there the lock spans the commit.
   */
  private async leaseAttempt(ask: LeaseAsk): Promise<[LeasePlan, PartitionResult] | undefined> {
    const key = `${ask.local.group.id}/${ask.queue}`;
    if (ask.settings.orderedByKey) {
      return this.locks.run(key, async () => {
        const plan = await this.plan(ask, undefined);
        return plan === undefined ? undefined : [plan, await this.commit(this.propose(ask.local, plan))];
      });
    }
    const proposed = await this.locks.run(key, async () => {
      const term = ask.local.group.status().term;
      const plan = await this.plan(ask, this.overlays.current(key, term));
      if (plan === undefined) return undefined;
      const proposal = this.propose(ask.local, plan);
      this.overlays.add(key, proposal.term, plan.command);
      return { plan, proposal };
    });
    if (proposed === undefined) return undefined;
    const { plan, proposal } = proposed;
    try {
      const applied = await this.commit(proposal);
      if (applied.ok) this.overlays.applied(key, proposal.term, plan.command);
      else this.overlays.reset(key);
      return [plan, applied];
    } catch (error) {
      this.overlays.reset(key);
      throw error;
    }
  }

  private plan(ask: LeaseAsk, overlay: LeaseOverlay | undefined): Promise<LeasePlan | undefined> {
    const { queue, maxMessages, bytesMax, answerEmpty, leaseMs, settings } = ask;
    const nowMs = this.deps.clock.now();
    const input = {
      queue,
      maxMessages,
      bytesMax,
      answerEmpty,
      leaseMs,
      nowMs,
      settings,
      ...(overlay === undefined ? {} : { overlay }),
    };
    return new LeasePlanner(ask.local.replica, this.deps.store, input).plan();
  }

  private propose(local: LocalPartition, plan: LeasePlan): Proposal {
    const proposal = proposePartitionEntry(local, { timestampMs: plan.nowMs, command: plan.command });
    noteRequestGroup(local.group.id, proposal.term);
    return proposal;
  }

  private async commit(proposal: Proposal): Promise<PartitionResult> {
    return (await within(
      this.deps.clock,
      proposal.applied,
      queueRequestLimits.applyTimeoutMs,
      'not committed',
    )) as PartitionResult;
  }

  async settle(input: SettleInput): Promise<OpResult[]> {
    validateQueueGroupName(input.queue);
    if (input.ops.length > queueLimits.itemsPerCommandMax) {
      throw new RaftlogError('INVALID_ARGUMENT', `at most ${queueLimits.itemsPerCommandMax} leases per call`);
    }
    const results: OpResult[] = new Array<OpResult>(input.ops.length);
    const byPartition = new Map<string, { topic: string; partition: number; indexes: number[] }>();
    input.ops.forEach((op, i) => {
      const k = `${op.topic}\u0000${op.partition}`;
      const entry = byPartition.get(k) ?? { topic: op.topic, partition: op.partition, indexes: [] };
      entry.indexes.push(i);
      byPartition.set(k, entry);
    });
    await Promise.all(
      [...byPartition.values()].map(async ({ topic, partition, indexes }) => {
        const ops = indexes.map((i) => input.ops[i]!);
        const outcomes = await this.settleOne(input, topic, partition, ops).catch(failAll(ops.length));
        indexes.forEach((i, j) => (results[i] = outcomes[j]!));
      }),
    );
    return results;
  }

  private async settleOne(
    input: SettleInput,
    topic: string,
    partition: number,
    ops: readonly SettleOpInput[],
  ): Promise<OpResult[]> {
    let local = this.deps.leaderOf(topic, partition);
    const txn = input.transaction;
    if (txn !== undefined) {
      await this.deps.checkTransaction({ ...txn, topic, partition });
      local = this.deps.leaderOf(topic, partition);
    }
    const command: QueueSettleCommand = {
      type: 'queue-settle',
      queue: input.queue,
      producerId: txn?.producerId ?? -1,
      producerEpoch: txn?.epoch ?? -1,
      ops: ops.map(({ kind, offset, leaseId, ms, error }) => ({ kind, offset, leaseId, ms, error })),
    };
    const result = await this.proposeCommand(local, command);
    if (!result.ok || result.type !== 'queue-settled') throw resultError(result);
    return result.outcomes.map((o) => ({ ...o, leaderHint: undefined }));
  }

  async stats(input: {
    queue: string;
    topic: string;
    partitions: readonly number[];
  }): Promise<QueueStatsView[]> {
    validateQueueGroupName(input.queue);
    const partitions = input.partitions.length > 0 ? input.partitions : this.deps.ledPartitions(input.topic);
    const views: QueueStatsView[] = [];
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const local = this.deps.leaderOf(input.topic, partition);
      views.push(
        await queueStatsOf(local.replica, this.deps.store, input.queue, partition, this.deps.clock.now()),
      );
    }
    return views;
  }

  async deleteGroup(input: {
    queue: string;
    topic: string;
    partitions: readonly number[];
  }): Promise<GroupDeletion[]> {
    validateQueueGroupName(input.queue);
    const command: QueueDeleteCommand = { type: 'queue-delete', queue: input.queue };
    const count = this.deps.partitionCount(input.topic);
    return eachPartition(
      input.topic,
      count,
      input.partitions,
      async (partition) => {
        const result = await this.proposeCommand(this.deps.leaderOf(input.topic, partition), command);
        if (!result.ok || result.type !== 'queue-deleted') throw resultError(result);
        return {};
      },
      {},
    );
  }

  async listGroups(input: { topic: string; partitions: readonly number[] }): Promise<GroupListing[]> {
    const count = this.deps.partitionCount(input.topic);
    const names = (partition: number) => {
      const queues = this.deps.leaderOf(input.topic, partition).replica.state.queues.names();
      return Promise.resolve({ queues: queues.sort() });
    };
    return eachPartition(input.topic, count, input.partitions, names, { queues: [] as string[] });
  }

  private async proposeCommand(
    local: LocalPartition,
    command: QueueSettleCommand | QueueDeleteCommand,
  ): Promise<PartitionResult> {
    const timestampMs = this.deps.clock.now();
    const proposal = proposePartitionEntry(local, { timestampMs, command });
    noteRequestGroup(local.group.id, proposal.term);
    return this.commit(proposal);
  }
}

function checkLease(input: LeaseInput): void {
  validateQueueGroupName(input.queue);
  const { messagesMax, waitMsMax } = queueRequestLimits;
  if (!Number.isSafeInteger(input.maxMessages) || input.maxMessages < 1 || input.maxMessages > messagesMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `max_messages must be in [1, ${messagesMax}]`);
  }
  if (input.visibilityTimeoutMs < 0 || input.visibilityTimeoutMs > queueLimits.leaseMsMax) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `visibility_timeout_ms must be at most ${queueLimits.leaseMsMax}`,
    );
  }
  if (input.waitMs < 0 || input.waitMs > waitMsMax) {
    throw new RaftlogError('INVALID_ARGUMENT', `wait_ms must be at most ${waitMsMax}`);
  }
}

function answer(
  plan: LeasePlan,
  granted: readonly { offset: number; leaseId: number; deliveryCount: number; expiresAtMs: number }[],
  partition: number,
  settings: QueueSettings,
): LeaseOutcome {
  const messages: LeasedRecord[] = [];
  const deadLetters: DeadLetterCandidate[] = [];
  for (const g of granted) {
    const record = plan.records.get(g.offset);
    if (record === undefined) continue;
    const leased = {
      partition,
      record,
      leaseId: g.leaseId,
      deliveryCount: g.deliveryCount,
      expiresAtMs: g.expiresAtMs,
    };
    const dead = plan.deadLetters.get(g.offset);
    if (dead === undefined) messages.push(leased);
    else deadLetters.push({ ...leased, ...dead, deadLetterTopic: settings.deadLetterTopic });
  }
  return { messages, deadLetters };
}

function resultError(result: PartitionResult): RaftlogError {
  if (!result.ok) return new RaftlogError(result.code, result.message);
  return new RaftlogError('INTERNAL', `unexpected result ${result.type}`);
}

function failAll(count: number): (error: unknown) => OpResult[] {
  return (error) => {
    const e = RaftlogError.from(error, 'INTERNAL');
    const r: OpResult = { code: e.code, message: e.message, leaderHint: e.leaderHint, expiresAtMs: 0 };
    return Array.from({ length: count }, () => r);
  };
}
