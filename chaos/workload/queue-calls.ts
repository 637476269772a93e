import type { LeasedMessage, LeaseResult } from '../../proto/gen/raftlog/v1/broker_pb.js';
import { errorFromDetail, toRaftlogError, type RaftlogClient } from '../../src/client/index.js';
import type { AckOp, HeldLease, LeasedRecord, LeaseOp, NackOp } from '../history/index.js';
import type { KeyRef } from './key-ref.js';
import { sendOutcome } from './outcome.js';
import type { Recorder } from './recorder.js';

export interface QueueCallOptions {
  /** The queue group every consumer of the run shares. */
  readonly queue: string;
  readonly consumerId: string;
  readonly visibilityMs: number;
  /** How long a lease may wait for a message before answering empty. */
  readonly waitMs: number;
  readonly maxMessages: number;
  /** Deadline of an ack or nack; a lease gets `waitMs` more. */
  readonly callTimeoutMs: number;
}

/** Outcome per lease of an answered ack or nack: `ok` or the broker's error code. */
export type SettleOutcomes = readonly string[];

const decoder = new TextDecoder();

/**
 * One consumer's Lease, Ack and Nack calls, each sent to the partition's leader on the raw
 * BrokerService and recorded as one operation. A call of unknown outcome ends the process, as in
 * Jepsen, and the consumer continues as a new one.
 */
export class QueueCalls {
  private process: number;

  constructor(
    private readonly recorder: Recorder,
    private readonly client: RaftlogClient,
    private readonly options: QueueCallOptions,
  ) {
    this.process = recorder.newProcess();
  }

  /** The leases handed out, or undefined when the call failed or no leader is known. */
  async lease(key: KeyRef): Promise<LeasedRecord[] | undefined> {
    const address = await this.leaderOf(key);
    if (address === undefined) return undefined;
    const { visibilityMs } = this.options;
    const base = { process: this.process, f: 'lease', key: key.name, visibilityMs } as const;
    this.recorder.record<LeaseOp>({ ...base, type: 'invoke' });
    try {
      const response = await this.client.broker(address).lease(this.leaseRequest(key), {
        timeoutMs: this.options.callTimeoutMs + this.options.waitMs,
      });
      const leases = response.messages.map((m) => leasedRecord(m));
      this.recorder.record<LeaseOp>({ ...base, type: 'ok', leases });
      return leases;
    } catch (error) {
      this.failed(key, error, (type) => this.recorder.record<LeaseOp>({ ...base, type }));
      return undefined;
    }
  }

  /** Acks or nacks `leases`; answers the outcome of each, or undefined when the call failed. */
  async settle(
    f: 'ack' | 'nack',
    key: KeyRef,
    leases: readonly HeldLease[],
    delayMs = 0,
  ): Promise<SettleOutcomes | undefined> {
    const address = await this.leaderOf(key);
    if (address === undefined) return undefined;
    const base = { process: this.process, key: key.name, leases };
    const op = f === 'ack' ? ({ ...base, f } as const) : ({ ...base, f, delayMs } as const);
    this.recorder.record<AckOp | NackOp>({ ...op, type: 'invoke' });
    try {
      const results = await this.settleCall(f, address, key, leases, delayMs);
      this.learnLeader(key, results);
      const outcomes = leases.map((l) => outcomeOf(l, results));
      this.recorder.record<AckOp | NackOp>({ ...op, type: 'ok', outcomes });
      return outcomes;
    } catch (error) {
      this.failed(key, error, (type) => this.recorder.record<AckOp | NackOp>({ ...op, type }));
      return undefined;
    }
  }

  private async settleCall(
    f: 'ack' | 'nack',
    address: string,
    key: KeyRef,
    leases: readonly HeldLease[],
    delayMs: number,
  ): Promise<readonly LeaseResult[]> {
    const refs = leases.map((l) => ({
      topic: key.topic,
      partition: key.partition,
      offset: BigInt(l.offset),
      leaseId: BigInt(l.leaseId),
    }));
    const broker = this.client.broker(address);
    const call = { timeoutMs: this.options.callTimeoutMs };
    const { queue } = this.options;
    const response =
      f === 'ack'
        ? await broker.ack({ queue, leases: refs }, call)
        : await broker.nack({ queue, leases: refs, delayMs, error: 'chaos nack' }, call);
    return response.results;
  }

  private leaseRequest(key: KeyRef) {
    const { queue, consumerId, maxMessages, visibilityMs, waitMs } = this.options;
    return {
      queue,
      topic: key.topic,
      partitions: [key.partition],
      consumerId,
      maxMessages,
      visibilityTimeoutMs: visibilityMs,
      waitMs,
    };
  }

  /** A per-lease NOT_LEADER carries the new leader's address: the retry goes there. */
  private learnLeader(key: KeyRef, results: readonly LeaseResult[]): void {
    for (const r of results) {
      const error = errorFromDetail(r.error);
      if (error !== undefined) this.client.noteError(key.topic, key.partition, error);
    }
  }

  /** No leader known means nothing was sent: no operation is recorded. */
  private async leaderOf(key: KeyRef): Promise<string | undefined> {
    try {
      return await this.client.leaderAddress(key.topic, key.partition);
    } catch (error) {
      this.client.noteError(key.topic, key.partition, toRaftlogError(error));
      return undefined;
    }
  }

  /** Only an error that proves the call was refused unprocessed makes it `fail`. */
  private failed(key: KeyRef, error: unknown, record: (type: 'fail' | 'info') => void): void {
    const type = sendOutcome(error);
    record(type);
    this.client.noteError(key.topic, key.partition, toRaftlogError(error));
    if (type === 'info') this.process = this.recorder.newProcess();
  }
}

function leasedRecord(m: LeasedMessage): LeasedRecord {
  const value = m.message?.record?.value;
  return {
    offset: Number(m.message?.offset ?? -1n),
    value: value === undefined ? '' : decoder.decode(value),
    leaseId: m.leaseId.toString(),
    deliveryCount: m.deliveryCount,
    expiresAtMs: Number(m.leaseExpiresAtMs),
  };
}

/** The broker answers per lease; one it left out has an unknown outcome, recorded as MISSING. */
function outcomeOf(lease: HeldLease, results: readonly LeaseResult[]): string {
  const result = results.find(
    (r) => r.lease?.offset === BigInt(lease.offset) && r.lease.leaseId.toString() === lease.leaseId,
  );
  if (result === undefined) return 'MISSING';
  return errorFromDetail(result.error)?.code ?? 'ok';
}
