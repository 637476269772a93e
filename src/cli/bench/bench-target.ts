/** Sends records one by one; each promise settles when the target acknowledged that record. */
export interface BenchSender {
  send(value: Uint8Array): Promise<unknown>;
  close(): Promise<void>;
}

export interface BenchSubscription {
  /** Stops delivery and releases the connection; no value is delivered after it resolves. */
  stop(): Promise<void>;
}

/**
 * One system under test behind the same workload: raftlog or a peer broker. Each `prepare` gives a
 * fresh, empty destination (topic, stream or queue) so runs do not read each other's records.
 */
export interface BenchTarget {
  readonly name: string;
  prepare(): Promise<void>;
  /** `oneAtATime`: tuned for one record in flight (no lingering for a batch). */
  sender(options: { oneAtATime: boolean }): Promise<BenchSender>;
  /** Delivers every record of the destination from its start, in order of arrival. */
  subscribe(onValue: (value: Uint8Array) => void): Promise<BenchSubscription>;
  close(): Promise<void>;
}
