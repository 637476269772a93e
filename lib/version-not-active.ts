import { RaftlogError } from './raftlog-error.js';

/**
 * Refuses (UNAVAILABLE, retriable) data of a cluster version not active yet: a node of an older build
 * may still run and could not read it. The message, `what` and a quoted `name` when given, is built
 * only on refusal, so a proposal path pays one compare and no allocation.
 */
export function requireClusterVersion(
  activeVersion: number,
  needed: number,
  what: string,
  name?: string,
): void {
  if (activeVersion >= needed) return;
  throw new RaftlogError(
    'UNAVAILABLE',
    `${name === undefined ? what : `${what} '${name}'`} needs cluster version ${needed}, active is ${activeVersion}: it becomes available once every node runs a build of that version`,
  );
}
