import type { RaftlogError } from '../../lib/index.js';
import type { TxnPartition, TxnState } from '../controller/index.js';

/**
 * Transactions as the broker and admin services see them (cluster/README.md, "Transactions"). Any
 * node answers: commands are forwarded to the controller leader, and the answer comes once this
 * node's controller replica shows the outcome. Every method throws RaftlogError.
 */
export interface TransactionsApi {
  /** InitProducer with a transactional id: bumps the epoch and aborts what the older instance left open. */
  initProducer(transactionalId: string, transactionTimeoutMs: number): Promise<ProducerIdentity>;
  /** Per partition: undefined when added, else why not (unknown topic or partition). */
  addPartitions(input: TxnProducer & { partitions: readonly TxnPartition[] }): Promise<PartitionOutcome[]>;
  addOffsets(input: TxnProducer & { groupId: string }): Promise<void>;
  commitOffsets(input: TxnOffsetCommitInput): Promise<PartitionOutcome[]>;
  /** Resolves once every partition has its marker (the transaction is COMPLETE_*). */
  endTxn(input: TxnProducer & { commit: boolean }): Promise<void>;
  list(filter: { states: readonly TxnState[]; minAgeMs: number }): TxnView[];
  /** Unknown ids are left out. */
  describe(transactionalIds: readonly string[]): TxnView[];
  /** The partition leader's side of WriteTxnMarkers (peer RPC from the coordinator). */
  writeMarkers(request: MarkerRequest): Promise<PartitionOutcome[]>;
}

export interface ProducerIdentity {
  readonly producerId: number;
  readonly epoch: number;
}

export interface TxnProducer {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
}

export interface TxnOffsetCommitInput extends TxnProducer {
  readonly groupId: string;
  readonly generationId: number;
  readonly memberId: string;
  readonly offsets: readonly { topic: string; partition: number; offset: number; metadata: string }[];
}

export interface PartitionOutcome {
  readonly topic: string;
  readonly partition: number;
  /** Undefined on success. */
  readonly error?: RaftlogError;
}

export interface MarkerRequest {
  readonly producerId: number;
  readonly epoch: number;
  readonly commit: boolean;
  readonly partitions: readonly TxnPartition[];
}

export interface TxnView {
  readonly transactionalId: string;
  readonly producerId: number;
  readonly epoch: number;
  readonly state: TxnState;
  readonly partitions: readonly TxnPartition[];
  readonly groupIds: readonly string[];
  /** 0 when no transaction is open. */
  readonly startedAtMs: number;
  /** How long the open transaction has run; 0 when none is open. */
  readonly ageMs: number;
  readonly transactionTimeoutMs: number;
}
