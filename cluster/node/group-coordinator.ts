import type { Logger } from 'pino';
import { RaftlogError } from '../../lib/index.js';
import { heartbeatVerdict, type ControllerState, type GroupMember } from '../controller/index.js';

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
  /** Since when a member has held partitions its target no longer has (it owes their release). */
  private readonly owingSince = new Map<string, number>();
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
      this.owingSince.clear();
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

  /**
   * One pass over every member: proposes the expiry of those silent longer than their session timeout,
   * and of those that went on heartbeating but did not release a partition taken from them within
   * their rebalance timeout (0: the session timeout), which would otherwise hold it from its new owner
   * for ever, as Kafka's rebalance timeout does.
   */
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
        const owedMs = this.owedMs(key, m, now);
        if (this.expiring.has(key)) continue;
        if (now - seen > m.sessionTimeoutMs) {
          expired.push(this.expireOne(group.groupId, m.memberId, key, 'its session timeout', now - seen));
        } else if (owedMs > (m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : m.sessionTimeoutMs)) {
          expired.push(this.expireOne(group.groupId, m.memberId, key, 'its rebalance timeout', owedMs));
        }
      }
    }
    for (const key of this.lastSeen.keys()) if (!live.has(key)) this.lastSeen.delete(key);
    for (const key of this.owingSince.keys()) if (!live.has(key)) this.owingSince.delete(key);
    await Promise.all(expired);
  }

  /** How long the member has held a partition outside its target; 0 when it holds none. */
  private owedMs(key: string, m: GroupMember, now: number): number {
    const targets = new Set(m.target.map((p) => `${p.topic}\u0000${p.partition}`));
    if (m.owned.every((p) => targets.has(`${p.topic}\u0000${p.partition}`))) {
      this.owingSince.delete(key);
      return 0;
    }
    const since = this.owingSince.get(key) ?? (this.owingSince.set(key, now), now);
    return now - since;
  }

  private async expireOne(
    groupId: string,
    memberId: string,
    key: string,
    missed: string,
    lateMs: number,
  ): Promise<void> {
    this.expiring.add(key);
    this.deps.logger.info({ groupId, memberId, lateMs }, `a group member missed ${missed}`);
    try {
      await this.deps.expire(groupId, memberId);
      this.lastSeen.delete(key);
      this.owingSince.delete(key);
    } catch (error) {
      this.deps.logger.debug({ err: error, groupId, memberId }, 'member expiry deferred');
    } finally {
      this.expiring.delete(key);
    }
  }
}
