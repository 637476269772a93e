/**
 * Splits the node's log cache among its groups without visiting every group each time one is added.
 * Shares are planned for a tenth more groups than there are, so the next tenth can be added at the
 * planned share and the sum stays within the node's bound; only past the plan is every group given
 * a new share. Loading N groups thus costs O(N log N) assignments instead of O(N²).
 */
export class CacheShares {
  private plannedGroups = 0;

  constructor(private readonly totalBytes: number) {}

  /** Each group's share for `groups` groups, and whether every group must be given it again. */
  plan(groups: number): { readonly shareBytes: number; readonly reshare: boolean } {
    // Removals leave the plan alone until it is a quarter too large: shares are then just smaller.
    const reshare = groups > this.plannedGroups || groups * 1.25 < this.plannedGroups;
    if (reshare) this.plannedGroups = Math.max(1, groups + Math.floor(groups / 10));
    return { shareBytes: Math.floor(this.totalBytes / this.plannedGroups), reshare };
  }
}
