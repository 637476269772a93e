import { RaftlogError } from '../../lib/index.js';
import type { CliGroupConsumer, CliGroups } from './cli-context.js';

export interface RebalanceBenchOptions {
  readonly topic: string;
  readonly partitions: number;
  /** Members before the one whose join is timed. */
  readonly members: number;
  readonly sessionTimeoutMs: number;
  readonly timeoutMs: number;
}

export interface RebalanceBenchResult {
  readonly members: number;
  readonly partitions: number;
  /** From the new member's JoinGroup until every member holds its fair share and no partition is idle. */
  readonly rebalanceMs: number;
  readonly sessionTimeoutMs: number;
}

/**
 * Times a join: `members` consumers share the topic, then one more joins; the clock stops once the
 * partitions are spread evenly over all of them again (the incremental protocol moves only what it
 * must, and the others read on meanwhile).
 */
export async function benchRebalance(
  groups: CliGroups,
  o: RebalanceBenchOptions,
): Promise<RebalanceBenchResult> {
  const groupId = `bench-rebalance-${process.pid}-${Date.now()}`;
  const consumers: CliGroupConsumer[] = [];
  const add = async (): Promise<void> => {
    const c = groups.consumer({
      groupId,
      topics: [o.topic],
      autoOffsetReset: 'latest',
      sessionTimeoutMs: o.sessionTimeoutMs,
    });
    consumers.push(c);
    await c.join();
  };
  try {
    for (let i = 0; i < o.members; i++) await add();
    await balanced(consumers, o.partitions, o.timeoutMs);
    const started = performance.now();
    await add();
    await balanced(consumers, o.partitions, o.timeoutMs);
    return {
      members: o.members,
      partitions: o.partitions,
      rebalanceMs: Math.round(performance.now() - started),
      sessionTimeoutMs: o.sessionTimeoutMs,
    };
  } finally {
    await Promise.all(consumers.map((c) => c.close()));
  }
}

/** Waits until every partition is read by one member and each member holds floor or ceil of its share. */
async function balanced(
  consumers: readonly CliGroupConsumer[],
  partitions: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const floor = Math.floor(partitions / consumers.length);
  for (;;) {
    const counts = consumers.map((c) => c.assignment().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === partitions && counts.every((n) => n === floor || n === floor + 1)) return;
    if (Date.now() > deadline) {
      throw new RaftlogError(
        'TIMEOUT',
        `the group did not settle within ${timeoutMs} ms (members hold ${counts.join(', ')})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
