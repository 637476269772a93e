import type { RawSettings } from '../server/node-config.js';
import type { LocalClusterOptions, RestartedNode } from '../local/index.js';
import type {
  Admin,
  ConsumerOptions,
  ConsumerRecord,
  ProducerOptions,
  ProducerRecord,
  QueueConsumer,
  QueueConsumerOptions,
  QueuePartitionStats,
  QueueGroupDeletion,
  QueuePartitionGroups,
  RecordAck,
  RedriveOptions,
  RedriveResult,
  SecurityAdmin,
  StartPosition,
  TransactionScope,
  UserCredentials,
} from '../client/index.js';

/** Where the command reads and writes; the process in main.ts, buffers in tests. */
export interface CliIo {
  /** One line of output (the newline is added). */
  out(line: string): void;
  err(line: string): void;
  /** Raw text (commander's help). */
  write(text: string): void;
  stdinLines(): AsyncIterable<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where progress bars draw; undefined disables them. */
  readonly progressStream: NodeJS.WritableStream | undefined;
  /**
   * Calls `handler` on the first SIGINT or SIGTERM instead of dying, until the returned function is
   * called (a command that must finish cleanly, like committing offsets). Absent: no signals.
   */
  onInterrupt?(handler: () => void): () => void;
}

export interface CliProducer {
  send(record: ProducerRecord): Promise<RecordAck>;
  close(): Promise<void>;
  /** Transactional producers (`transactionalId`) only. */
  initTransactions?(): Promise<void>;
  transaction?<T>(fn: (scope: TransactionScope) => Promise<T>): Promise<T>;
}

export interface CliConsumer extends AsyncIterable<ConsumerRecord> {
  assign(partitions: readonly { topic: string; partition: number; from?: StartPosition }[]): void;
  assignTopic(topic: string, from?: StartPosition): Promise<number[]>;
  close(): Promise<void>;
}

export type CliAdmin = Pick<
  Admin,
  | 'createTopic'
  | 'createTopics'
  | 'alterTopicConfig'
  | 'deleteTopic'
  | 'listTopics'
  | 'describeTopic'
  | 'clusterStatus'
  | 'listTransactions'
  | 'describeTransactions'
  | 'removeNode'
  | 'reassignPartition'
  | 'rebalance'
>;

/** A consumer in group mode: records it printed are marked processed and committed on close. */
export interface CliGroupConsumer extends AsyncIterable<ConsumerRecord> {
  join(): Promise<void>;
  /** The partitions it consumes now. */
  assignment(): readonly { topic: string; partition: number }[];
  markProcessed(record: ConsumerRecord): void;
  close(options?: { commit?: boolean }): Promise<void>;
}

export type CliGroupAdmin = Pick<Admin, 'listGroups' | 'describeGroup' | 'resetGroupOffsets'>;

/** Consumer groups: the `group` commands and `consume --group`. */
export interface CliGroups {
  readonly admin: CliGroupAdmin;
  consumer(options: ConsumerOptions): CliGroupConsumer;
}

export type CliQueueConsumer = Pick<
  QueueConsumer,
  'receive' | 'ackReceipts' | 'nackReceipts' | 'extendReceipts' | 'close'
>;

/** Queue consumption: the `queue` commands. */
export interface CliQueues {
  consumer(options: QueueConsumerOptions): CliQueueConsumer;
  stats(topic: string, queue: string): Promise<QueuePartitionStats[]>;
  deleteGroup(topic: string, queue: string): Promise<QueueGroupDeletion[]>;
  listGroups(topic: string): Promise<QueuePartitionGroups[]>;
  redrive(options: RedriveOptions): Promise<RedriveResult>;
}

/** A connection to the cluster for one command. */
export interface CliSession {
  readonly admin: CliAdmin;
  producer(options: ProducerOptions): CliProducer;
  consumer(options: ConsumerOptions): CliConsumer;
  /** Absent in sessions that do not offer consumer groups. */
  readonly groups?: CliGroups;
  /** Absent in sessions that do not offer queues. */
  readonly queues?: CliQueues;
  /** Users, ACLs and quotas; absent in sessions that do not offer them. */
  readonly security?: CliSecurity;
  close(): void;
}

export type CliSecurity = Pick<
  SecurityAdmin,
  | 'addUser'
  | 'removeUser'
  | 'listUsers'
  | 'addAcls'
  | 'removeAcls'
  | 'listAcls'
  | 'setQuota'
  | 'listQuotas'
  | 'whoAmI'
>;

/** What the commands call out to; the real ones in main.ts, fakes in tests. */
export interface CliDeps {
  /** Fails (UNAVAILABLE, naming each address and why) when no bootstrap node answers. */
  connect(bootstrap: string, auth?: UserCredentials): CliSession | Promise<CliSession>;
  runNode(flags: RawSettings): Promise<void>;
  runLocalCluster(options: LocalClusterOptions): Promise<void>;
  restartLocalNode(dataDir: string, id: number): Promise<RestartedNode>;
}

export interface GlobalOptions {
  readonly bootstrap: string;
  readonly json: boolean;
  /** --user/--password (env RAFTLOG_USER/RAFTLOG_PASSWORD): log in before anything else. */
  readonly auth?: UserCredentials;
}

/** Shared by every command of one run: its I/O, dependencies and the exit code it ends with. */
export interface CliContext {
  readonly io: CliIo;
  readonly deps: CliDeps;
  exitCode: number;
}
