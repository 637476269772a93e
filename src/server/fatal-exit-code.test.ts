import { describe, expect, it } from 'vitest';
import { AssertionError, NewerFormatError, RaftlogError, VersionBehindError } from '../../lib/index.js';
import {
  exitCodeInvariantBroken,
  exitCodeNewerFormat,
  exitCodeStorageFailed,
  exitCodeVersionBehind,
  fatalExitCode,
} from './run-node.js';

describe('the exit code of a node that stops itself', () => {
  it('tells a broken invariant, failed storage and data of a later version apart', () => {
    expect(fatalExitCode(new AssertionError('an impossible state'))).toBe(exitCodeInvariantBroken);
    expect(fatalExitCode(new RaftlogError('INTERNAL', 'write failed'))).toBe(exitCodeStorageFailed);
    expect(fatalExitCode(new NewerFormatError('partition entry of command type 9'))).toBe(
      exitCodeNewerFormat,
    );
    expect(fatalExitCode(new VersionBehindError(2, 3))).toBe(exitCodeVersionBehind);
    expect(
      new Set([exitCodeInvariantBroken, exitCodeStorageFailed, exitCodeNewerFormat, exitCodeVersionBehind])
        .size,
    ).toBe(4);
  });
});
