import { requireClusterVersion, type NodeId } from '../../lib/index.js';
import type { ControllerState } from './controller-types.js';

/**
 * The highest cluster version this build reads and writes. A build that adds a replicated command
 * type, entry or snapshot layout raises it by one and proposes the new data only once that version is
 * active (`isVersionActive`). Version 1 is everything up to and including the build that announced
 * nothing; version 2 adds the `raise-active-version` command itself and snapshot format 2.
 */
export const nodeLogicalVersion = 2;

/** What a node that announces no logical version (a build older than the announcement) reads. */
export const unannouncedLogicalVersion = 1;

/** The highest logical version the cluster may ever reach: it travels as uint32. */
export const logicalVersionMax = 0xffff_ffff;

/** A wire value (0 when the peer's build has no such field) as the version it stands for. */
export function announcedVersion(wire: number): number {
  return wire === 0 ? unannouncedLogicalVersion : wire;
}

/** Whether every node may now read replicated data that needs `version`. */
export function isVersionActive(state: ControllerState, version: number): boolean {
  return state.activeVersion >= version;
}

/**
 * For a proposal site: refuses (UNAVAILABLE, retriable) what needs a version the cluster has not
 * activated, so no node running an older build meets data it cannot read.
 */
export function requireVersionActive(state: ControllerState, version: number, what: string): void {
  requireClusterVersion(state.activeVersion, version, what);
}

/**
 * The version the controller leader may raise the active version to, or undefined when it may not
 * raise it: the lowest logical version among the member nodes (registered and not removed, plus any
 * other node the leader must count, such as controller voters not registered yet), where a member
 * that announced nothing to the leader (down, not connected, or too old to announce) holds it at 1.
 * Never below the active version.
 */
export function raisableVersion(
  state: ControllerState,
  announced: ReadonlyMap<NodeId, number>,
  alsoMembers: Iterable<NodeId> = [],
): number | undefined {
  const members = new Set<NodeId>(alsoMembers);
  for (const [id, node] of state.nodes) if (node.membership !== 'removed') members.add(id);
  if (members.size === 0) return undefined;
  let lowest = logicalVersionMax;
  for (const id of members) lowest = Math.min(lowest, announced.get(id) ?? unannouncedLogicalVersion);
  return lowest > state.activeVersion ? lowest : undefined;
}
