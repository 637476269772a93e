import type { Logger } from 'pino';
import { RaftlogError } from '../../lib/index.js';
import { heartbeatVerdict, type ControllerState } from '../controller/index.js';

export interface GroupCoordinatorDeps {
  /** The node's clock, in ms. */
  readonly now: () => number;
  /** The controller term while this node leads the controller, else undefined. */
  readonly leaderTerm: () => number | undefined;
  readonly state: () => ControllerState;
  /** Proposes expire-member for a silent member. */
  readonly expire: (groupId: string, memberId: string) => Promise<unknown>;
  readonly logger: Logger;
}

const sessionKey = (groupId: string, memberId: string): string => `${groupId}\u0000${memberId}`;

/**
 * Member liveness, kept in memory on the controller leader only: heartbeats would otherwise be Raft
 * writes, and a member's session outlives no leader. A new leader (a new term) starts every member's
 * session clock afresh, so a failover never expires a member that was heartbeating to the old leader.
 */
export class GroupCoordinator {
  private readonly lastSeen = new Map<string, number>();
  private readonly expiring = new Set<string>();
  private term: number | undefined;

  constructor(private readonly deps: GroupCoordinatorDeps) {}

  /** A sign of life from a member (a join, a sync, a heartbeat, a commit). */
  touch(groupId: string, memberId: string): void {
    if (this.currentTerm() !== undefined) this.lastSeen.set(sessionKey(groupId, memberId), this.deps.now());
  }

  /** The leader's term; clocks of an earlier term (or from before a lost leadership) are dropped. */
  private currentTerm(): number | undefined {
    const term = this.deps.leaderTerm();
    if (term !== this.term) {
      this.term = term;
      this.lastSeen.clear();
    }
    return term;
  }

  /**
   * Heartbeat: answers from the applied controller state without writing to the log, and restarts the
   * member's session clock when it is still a member. Throws UNKNOWN_MEMBER_ID, REBALANCE_IN_PROGRESS
   * or NOT_COORDINATOR.
   */
  heartbeat(groupId: string, generationId: number, memberId: string): void {
    if (this.currentTerm() === undefined) {
      throw new RaftlogError('NOT_COORDINATOR', 'this node no longer coordinates groups');
    }
    const verdict = heartbeatVerdict(this.deps.state(), groupId, generationId, memberId);
    if (verdict.ok || verdict.code !== 'UNKNOWN_MEMBER_ID') this.touch(groupId, memberId);
    if (!verdict.ok) throw new RaftlogError(verdict.code, verdict.message);
  }

  /** One pass over every member: proposes the expiry of those silent longer than their session timeout. */
  async expireSessions(): Promise<void> {
    if (this.currentTerm() === undefined) return;
    const now = this.deps.now();
    const live = new Set<string>();
    const expired: Promise<void>[] = [];
    for (const group of this.deps.state().groups.values()) {
      for (const m of group.members.values()) {
        const key = sessionKey(group.groupId, m.memberId);
        live.add(key);
        const seen = this.lastSeen.get(key) ?? (this.lastSeen.set(key, now), now);
        if (now - seen > m.sessionTimeoutMs && !this.expiring.has(key)) {
          expired.push(this.expireOne(group.groupId, m.memberId, key, now - seen));
        }
      }
    }
    for (const key of this.lastSeen.keys()) if (!live.has(key)) this.lastSeen.delete(key);
    await Promise.all(expired);
  }

  private async expireOne(groupId: string, memberId: string, key: string, silentMs: number): Promise<void> {
    this.expiring.add(key);
    this.deps.logger.info({ groupId, memberId, silentMs }, 'a group member missed its session timeout');
    try {
      await this.deps.expire(groupId, memberId);
      this.lastSeen.delete(key);
    } catch (error) {
      this.deps.logger.debug({ err: error, groupId, memberId }, 'member expiry deferred');
    } finally {
      this.expiring.delete(key);
    }
  }
}
