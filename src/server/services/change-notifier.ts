/**
 * Wakes whoever waits for "something changed". A waiter re-checks its condition after each wake, so
 * a spurious wake is harmless and, as checks and waits run in one turn, no change is ever missed.
 */
export class ChangeNotifier {
  private waiters: (() => void)[] = [];

  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
