import { describe, expect, it } from 'vitest';
import { AssertionError, RaftlogError } from '../../lib/index.js';
import { exitCodeInvariantBroken, exitCodeStorageFailed, fatalExitCode } from './run-node.js';

describe('the exit code of a node that stops itself', () => {
  it('tells a broken invariant from failed storage', () => {
    expect(fatalExitCode(new AssertionError('an impossible state'))).toBe(exitCodeInvariantBroken);
    expect(fatalExitCode(new RaftlogError('INTERNAL', 'write failed'))).toBe(exitCodeStorageFailed);
    expect(exitCodeInvariantBroken).not.toBe(exitCodeStorageFailed);
  });
});
