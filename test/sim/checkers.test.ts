import { describe, expect, it } from 'vitest';
import { AckChecker } from './ack-checker.js';
import { CommittedLogChecker } from './committed-log-checker.js';
import { ElectionSafetyChecker } from './election-safety-checker.js';
import { InvariantViolation } from './invariant-violation.js';
import { LogMatchingChecker } from './log-matching-checker.js';
import { StateMachineChecker } from './state-machine-checker.js';

// Hand-made bad histories: each checker must reject the one it exists for, and accept a good one.

function violation(run: () => void, invariant: string): InvariantViolation {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(InvariantViolation);
    expect((error as InvariantViolation).invariant).toBe(invariant);
    return error as InvariantViolation;
  }
  throw new Error(`expected a ${invariant} violation`);
}

describe('ElectionSafetyChecker', () => {
  it('accepts one leader per term, seen repeatedly', () => {
    const c = new ElectionSafetyChecker();
    c.observeLeader(1, 1);
    c.observeLeader(1, 1);
    c.observeLeader(2, 3);
    expect(c.elections).toBe(2);
    expect(c.leaderChanges).toBe(1);
  });

  it('rejects two leaders in one term, however far apart', () => {
    const c = new ElectionSafetyChecker();
    c.observeLeader(4, 2);
    c.observeLeader(5, 1);
    expect(violation(() => c.observeLeader(4, 3), 'election safety').message).toContain('term 4');
  });
});

describe('LogMatchingChecker', () => {
  const e = (index: number, term: number, key: string) => ({ index, term, key });

  it('accepts logs that agree, including a truncated and rewritten suffix at a new term', () => {
    const c = new LogMatchingChecker();
    c.observeAppend(1, 1, [e(2, 1, 'a'), e(3, 1, 'b')]);
    c.observeAppend(2, 1, [e(2, 1, 'a'), e(3, 2, 'x')]);
    c.observeAppend(1, 1, [e(3, 2, 'x'), e(4, 2, 'y')]);
  });

  it('rejects the same index and term with different content', () => {
    const c = new LogMatchingChecker();
    c.observeAppend(1, 1, [e(2, 1, 'a')]);
    violation(() => c.observeAppend(2, 1, [e(2, 1, 'b')]), 'log matching');
  });

  it('rejects the same index and term after different prefixes', () => {
    const c = new LogMatchingChecker();
    c.observeAppend(1, 1, [e(2, 1, 'a'), e(3, 3, 'c')]);
    violation(() => c.observeAppend(2, 2, [e(3, 3, 'c')]), 'log matching');
  });

  it('rejects a log whose terms go down', () => {
    violation(() => new LogMatchingChecker().observeAppend(1, 3, [e(5, 2, 'a')]), 'log matching');
  });
});

describe('CommittedLogChecker', () => {
  it('rejects a committed index that changes', () => {
    const c = new CommittedLogChecker();
    c.observeCommitted(1, 2, 1, 'a', 1);
    c.observeCommitted(2, 2, 1, 'a', 2);
    violation(() => c.observeCommitted(3, 2, 2, 'b', 2), 'committed prefixes never diverge');
  });

  it('rejects a leader of a later term that lacks a committed entry', () => {
    const c = new CommittedLogChecker();
    c.observeCommitted(1, 2, 1, 'a', 1);
    c.observeCommitted(1, 3, 2, 'b', 2);
    const leaderLog = [0, 1, 1, 3];
    violation(() => c.checkLeaderComplete(2, 3, 1, 3, (i) => leaderLog[i]!), 'leader completeness');
    violation(() => c.checkLeaderComplete(2, 3, 1, 2, (i) => leaderLog[i]!), 'leader completeness');
  });

  it('does not hold a stale-term leader to entries committed in its own or later terms', () => {
    const c = new CommittedLogChecker();
    c.observeCommitted(1, 2, 1, 'a', 1);
    c.observeCommitted(1, 3, 3, 'b', 3);
    c.checkLeaderComplete(2, 3, 1, 2, (i) => [0, 1, 1][i]!);
    c.checkLeaderComplete(2, 4, 1, 3, (i) => [0, 1, 1, 3][i]!);
  });
});

describe('StateMachineChecker', () => {
  it('accepts nodes applying the same sequence at different paces, and restores', () => {
    const c = new StateMachineChecker();
    c.restore(1, ['boot']);
    c.restore(2, ['boot']);
    c.observeApply(1, 2, 'p1');
    c.observeApply(1, 3, 'p2');
    c.observeApply(2, 2, 'p1');
    c.restore(3, ['boot', 'p1', 'p2']);
    c.observeApply(3, 4, 'p3');
  });

  it('rejects a divergent applied sequence', () => {
    const c = new StateMachineChecker();
    c.observeApply(1, 1, 'p1');
    c.observeApply(1, 2, 'p2');
    c.observeApply(2, 1, 'p1');
    violation(() => c.observeApply(2, 2, 'p3'), 'state-machine safety');
  });

  it('rejects a gap, a repeat and a snapshot that contradicts what was applied', () => {
    const c = new StateMachineChecker();
    c.observeApply(1, 1, 'p1');
    violation(() => c.observeApply(1, 3, 'p3'), 'state-machine safety');
    violation(() => c.observeApply(1, 1, 'p1'), 'state-machine safety');
    violation(() => c.restore(2, ['p9']), 'state-machine safety');
  });

  it('rejects one payload applied at two indexes', () => {
    const c = new StateMachineChecker();
    c.observeApply(1, 1, 'p1');
    violation(() => c.observeApply(1, 2, 'p1'), 'state-machine safety');
  });
});

describe('AckChecker', () => {
  it('acknowledges a proposal applied where propose() put it, and not an overwritten one', () => {
    const c = new AckChecker();
    c.onPropose(1, 'p1', 5, 2);
    c.onPropose(1, 'p2', 6, 2);
    c.onApply(1, 5, 2, 'p1');
    c.onApply(1, 6, 3, 'p7');
    expect(c.acks).toBe(1);
    expect(c.lost).toBe(1);
    c.checkHeldBy(2, (i) => (i === 5 ? 'p1' : undefined));
  });

  it('rejects a lost ack: another node applies something else at the acknowledged index', () => {
    const c = new AckChecker();
    c.onPropose(1, 'p1', 5, 2);
    c.onApply(1, 5, 2, 'p1');
    violation(() => c.onApply(2, 5, 3, 'p9'), 'acknowledged proposals never lost');
  });

  it('rejects a member that does not hold an acknowledged payload at the end', () => {
    const c = new AckChecker();
    c.onPropose(1, 'p1', 5, 2);
    c.onApply(1, 5, 2, 'p1');
    violation(() => c.checkHeldBy(3, () => undefined), 'acknowledged proposals never lost');
  });

  it('forgets the proposals of a node that crashed', () => {
    const c = new AckChecker();
    c.onPropose(1, 'p1', 5, 2);
    c.onNodeDown(1);
    c.onApply(1, 5, 2, 'p1');
    expect(c.acks).toBe(0);
  });
});
