import { RaftlogError, type NodeId } from '../../../lib/index.js';
import { controllerLimits, validateTopicName } from '../../../cluster/controller/index.js';

/** Throws INVALID_TOPIC_NAME with the controller's own rule, so no bad name ever reaches the node. */
export function checkTopicName(name: string): string {
  const rejection = validateTopicName(name);
  if (rejection !== undefined) throw new RaftlogError(rejection.code, rejection.message);
  return name;
}

export function checkNodeId(value: number, what: string): NodeId {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RaftlogError(
      'INVALID_ARGUMENT',
      `${what} must be a node id (a positive integer), got ${value}`,
    );
  }
  return value as NodeId;
}

export function checkCount(value: number, what: string, max: number): number {
  if (value < 1 || value > max) {
    throw new RaftlogError('INVALID_ARGUMENT', `${what} must be between 1 and ${max}, got ${value}`);
  }
  return value;
}

/** A key that names one partition, for duplicate checks and per-partition bookkeeping. */
export const partitionKey = (topic: string, partition: number): string => `${partition}:${topic}`;

export function checkNoDuplicates(
  items: readonly { topic: string; partition: number }[],
  what: string,
): void {
  const seen = new Set<string>();
  for (const { topic, partition } of items) {
    const key = partitionKey(topic, partition);
    if (seen.has(key)) {
      throw new RaftlogError('INVALID_ARGUMENT', `${what} names ${topic}/${partition} more than once`);
    }
    seen.add(key);
  }
}

/** host:port with a port in range; the host is not resolved here (it may be a DNS name for later). */
export function checkAddress(address: string): string {
  const match = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(address);
  const port = Number(match?.[1] ?? 0);
  if (address.length > controllerLimits.addressCharsMax || port < 1 || port > 65_535) {
    throw new RaftlogError('INVALID_ARGUMENT', `address must be host:port, got '${address}'`);
  }
  return address;
}
