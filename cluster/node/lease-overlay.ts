import type { QueueLeaseCommand } from '../partition/index.js';

/**
 * What the lease commands a leader proposed but has not seen applied yet will do to one queue group
 * of one partition: where the scan will be, which unsettled messages they take, how many messages
 * they add. The next plan starts from here, so leases pipeline through Raft instead of waiting for
 * each other's commit. Commands apply in proposal order within a term, so each one's fromCursor is
 * the previous one's scanTo on every replica.
 */
export class LeaseOverlay {
  cursor: number;
  /** Offsets below a command's fromCursor that it grants or drops. */
  readonly reserved = new Set<number>();
  /** Messages the in-flight commands add to the group's unsettled ones. */
  added = 0;
  inFlight = 0;

  constructor(
    readonly term: number,
    cursor: number,
  ) {
    this.cursor = cursor;
  }

  add(c: QueueLeaseCommand): void {
    this.cursor = c.scanTo;
    for (const offset of taken(c)) this.reserved.add(offset);
    this.added += added(c);
    this.inFlight++;
  }

  /** The command applied: the group's state holds what it did now. */
  applied(c: QueueLeaseCommand): void {
    for (const offset of taken(c)) this.reserved.delete(offset);
    this.added -= added(c);
    this.inFlight--;
  }
}

function taken(c: QueueLeaseCommand): number[] {
  const below = (offset: number): boolean => offset < c.fromCursor;
  return [...c.grants.map((g) => g.offset).filter(below), ...c.drops.filter(below)];
}

function added(c: QueueLeaseCommand): number {
  return c.grants.filter((g) => g.offset >= c.fromCursor).length + c.waiting.length;
}

/** The overlays of one node, by group and queue; one from an older term is stale and dropped. */
export class LeaseOverlays {
  private readonly byKey = new Map<string, LeaseOverlay>();

  current(key: string, term: number): LeaseOverlay | undefined {
    const o = this.byKey.get(key);
    if (o !== undefined && o.term !== term) this.byKey.delete(key);
    return o?.term === term ? o : undefined;
  }

  add(key: string, term: number, command: QueueLeaseCommand): void {
    let o = this.current(key, term);
    if (o === undefined) {
      o = new LeaseOverlay(term, command.fromCursor);
      this.byKey.set(key, o);
    }
    o.add(command);
  }

  applied(key: string, term: number, command: QueueLeaseCommand): void {
    const o = this.current(key, term);
    if (o === undefined) return;
    o.applied(command);
    if (o.inFlight === 0) this.byKey.delete(key);
  }

  /** A command failed or was refused: the ones planned on top of it fail too; plan from the state. */
  reset(key: string): void {
    this.byKey.delete(key);
  }
}
