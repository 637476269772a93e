/**
 * The history a chaos run records, one JSON object per line (JSONL), in the order events happened.
 * Client operations come in pairs: an `invoke` and then exactly one completion (`ok`, `fail` or
 * `info`) by the same process. `fail` means the operation definitely did not happen; `info` means
 * its outcome is unknown (a timeout, a lost connection). A process runs one operation at a time; a
 * worker whose operation ended in `info` continues as a new process, as in Jepsen.
 */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** A partition, named `topic/partition`; the workload writes unique values per key. */
export type Key = string;

/** An offset and the value read there. */
export type ReadRecord = readonly [offset: number, value: string];

interface OpBase {
  /** Position in the history, from 0, dense. */
  readonly index: number;
  /** Milliseconds since the run started, from a monotonic clock. */
  readonly time: number;
  readonly process: number;
  readonly type: OpType;
}

/** Appends one unique value to a key; an `ok` carries the offset the broker acknowledged. */
export interface SendOp extends OpBase {
  readonly f: 'send';
  readonly key: Key;
  readonly value: string;
  readonly offset?: number;
}

/**
 * Reads a key from `from`; an `ok` carries the records read in offset order (possibly none). A
 * process polls one key and continues where its previous poll ended, until an `assign` moves it.
 */
export interface PollOp extends OpBase {
  readonly f: 'poll';
  readonly key: Key;
  readonly from: number;
  readonly records?: readonly ReadRecord[];
}

/** Points a reader process at keys, from the start of each when `seekToBeginning`. */
export interface AssignOp extends OpBase {
  readonly f: 'assign';
  readonly keys: readonly Key[];
  readonly seekToBeginning: boolean;
}

/**
 * Queue workload: puts one message with a unique value into a key (a partition) with an acknowledged
 * produce; an `ok` carries the offset it got. Like a send, but consumed through leases, not polls.
 */
export interface EnqueueOp extends OpBase {
  readonly f: 'enqueue';
  readonly key: Key;
  readonly value: string;
  readonly offset?: number;
}

/** One message a lease handed out. Lease ids are uint64 on the wire, hence decimal strings. */
export interface LeasedRecord {
  readonly offset: number;
  readonly value: string;
  readonly leaseId: string;
  readonly deliveryCount: number;
  /** The broker's wall-clock expiry (ms since the Unix epoch), for reading a history by eye. */
  readonly expiresAtMs: number;
}

/** Leases messages of one key from its leader for `visibilityMs`; an `ok` carries what it got. */
export interface LeaseOp extends OpBase {
  readonly f: 'lease';
  readonly key: Key;
  readonly visibilityMs: number;
  readonly leases?: readonly LeasedRecord[];
}

/** A lease a consumer holds, with the value it delivered so a settlement names its message. */
export interface HeldLease {
  readonly offset: number;
  readonly value: string;
  readonly leaseId: string;
}

/**
 * Acknowledges leases of one key. An `ok` carries one outcome per lease, in order: `ok`, or the
 * error code the broker answered for that lease (LEASE_EXPIRED, UNKNOWN_LEASE, NOT_LEADER…).
 */
export interface AckOp extends OpBase {
  readonly f: 'ack';
  readonly key: Key;
  readonly leases: readonly HeldLease[];
  readonly outcomes?: readonly string[];
}

/** Gives leases of one key back for redelivery after `delayMs`; outcomes as for an ack. */
export interface NackOp extends OpBase {
  readonly f: 'nack';
  readonly key: Key;
  readonly leases: readonly HeldLease[];
  readonly delayMs: number;
  readonly outcomes?: readonly string[];
}

export type QueueOp = EnqueueOp | LeaseOp | AckOp | NackOp;

export type ClientOp = SendOp | PollOp | AssignOp | QueueOp;

/** Fault kinds the nemesis injects; the verdict counts faults by these names. */
export type FaultKind =
  | 'partition'
  | 'kill'
  | 'pause'
  | 'restart-rolling'
  | 'transfer-storm'
  | 'membership'
  | 'disk-bitflip'
  | 'disk-truncate'
  | 'clock-skew'
  | 'latency'
  | 'client-leader-cut';

/**
 * The nemesis starting or ending a fault (process -1, type `info`). `start` is taken when the fault
 * is in force (the link cut, the process killed); `end` when it has been healed.
 */
export interface FaultEvent {
  readonly index: number;
  readonly time: number;
  readonly process: -1;
  readonly type: 'info';
  readonly f: 'fault';
  readonly phase: 'start' | 'end';
  readonly kind: FaultKind;
  /** Node ids the fault targets (the isolated, killed or paused ones). */
  readonly nodes: readonly number[];
  /** Human words for the report, e.g. "isolate node 2 (both directions)". */
  readonly description: string;
}

/** A leader seen by the monitor (process -2, type `info`); 0 means no leader is known. */
export interface LeaderEvent {
  readonly index: number;
  readonly time: number;
  readonly process: -2;
  readonly type: 'info';
  readonly f: 'leader';
  readonly key: Key;
  readonly leader: number;
  readonly term?: number;
}

/** The run entering a phase: `faults` while the nemesis acts, `heal` once all is healed, `drain` for the final reads. */
export interface PhaseEvent {
  readonly index: number;
  readonly time: number;
  readonly process: -3;
  readonly type: 'info';
  readonly f: 'phase';
  readonly phase: 'faults' | 'heal' | 'drain' | 'done';
}

export type HistoryEvent = ClientOp | FaultEvent | LeaderEvent | PhaseEvent;

/** Process ids of the non-client actors. */
export const nemesisProcess = -1;
export const monitorProcess = -2;
export const runnerProcess = -3;
