/** One batch's place in its partition's line of batches in flight. */
export interface BatchTurn {
  /** Resolves once every batch that entered the line before this one has left it. */
  earlierLeft(): Promise<void>;
  /**
   * Resolves once the batch may make its first attempt: at once, unless an earlier batch in the line
   * was refused out of turn; then once every such batch has left, since this one would arrive before
   * their resends and be refused in turn (and the batches behind it, for as long as the line lasts).
   */
  mayStart(): Promise<void>;
  /** Notes that the partition refused this batch because an earlier one had not arrived yet. */
  refusedOutOfTurn(): void;
  /** Whether no earlier batch is still in the line. */
  readonly first: boolean;
  /** Leaves the line (idempotent). */
  leave(): void;
}

/**
 * The batches of each partition in flight at once, in the order they were sequenced. First
 * attempts travel together; a batch the partition refused because an earlier one had not arrived
 * yet is sent again only once every earlier batch has left, so retries go out in sequence order, and
 * batches that enter meanwhile wait for those resends, so the line gets back to sending together.
 */
export class BatchTurns {
  private readonly lines = new Map<string, Turn[]>();

  count(key: string): number {
    return this.lines.get(key)?.length ?? 0;
  }

  enter(key: string): BatchTurn {
    let line = this.lines.get(key);
    if (line === undefined) this.lines.set(key, (line = []));
    const turn = new Turn(line, () => {
      if (line.length === 0 && this.lines.get(key) === line) this.lines.delete(key);
    });
    line.push(turn);
    return turn;
  }
}

class Turn implements BatchTurn {
  private readonly left: Promise<void>;
  private resolveLeft!: () => void;
  private gone = false;
  private refused = false;

  constructor(
    private readonly line: Turn[],
    private readonly onEmpty: () => void,
  ) {
    this.left = new Promise((resolve) => (this.resolveLeft = resolve));
  }

  get first(): boolean {
    return this.line[0] === this;
  }

  async earlierLeft(): Promise<void> {
    await Promise.all(this.earlier().map((t) => t.left));
  }

  async mayStart(): Promise<void> {
    await Promise.all(
      this.earlier()
        .filter((t) => t.refused)
        .map((t) => t.left),
    );
  }

  refusedOutOfTurn(): void {
    this.refused = true;
  }

  private earlier(): Turn[] {
    return this.line.slice(0, Math.max(0, this.line.indexOf(this)));
  }

  leave(): void {
    if (this.gone) return;
    this.gone = true;
    this.line.splice(this.line.indexOf(this), 1);
    this.resolveLeft();
    this.onEmpty();
  }
}
