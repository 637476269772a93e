import { describe, expect, it } from 'vitest';
import { RaftlogError } from '../../lib/index.js';
import { partitionCommandTypes } from './partition-command-codec.js';
import {
  partitionCommandVersions,
  requirePartitionCommandActive,
  type PartitionCommandType,
} from './partition-command-versions.js';

/** A cluster version no build has reached, and a command type no build has, gated on it. */
const laterVersion = 1_000;
const laterType = 'queue-purge';
const withLater = { ...partitionCommandVersions, [laterType]: laterVersion };

function refusal(activeVersion: number): unknown {
  try {
    requirePartitionCommandActive(activeVersion, laterType, withLater);
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('partition command versions', () => {
  it('gives every command type the codec writes a version, all of them 1', () => {
    expect(Object.keys(partitionCommandVersions)).toHaveLength(Object.keys(partitionCommandTypes).length);
    expect(new Set(Object.values(partitionCommandVersions))).toEqual(new Set([1]));
  });

  it('is a table the type checker refuses to leave a command type out of', () => {
    const { compact: _left, ...incomplete } = partitionCommandVersions;
    // @ts-expect-error 'compact' is missing: a new command type cannot be left out either.
    const table: Record<PartitionCommandType, number> = incomplete;
    expect(Object.keys(table)).not.toContain('compact');
  });

  it('refuses a command below its version, retriably, naming the command and both versions', () => {
    const error = refusal(laterVersion - 1);
    expect(error).toBeInstanceOf(RaftlogError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    expect((error as Error).message).toContain(
      `partition command '${laterType}' needs cluster version ${laterVersion}, active is ${laterVersion - 1}`,
    );
    expect(refusal(1)).toBeInstanceOf(RaftlogError);
  });

  it('allows it from its version on', () => {
    expect(refusal(laterVersion)).toBeUndefined();
    expect(refusal(laterVersion + 1)).toBeUndefined();
  });

  it('allows every existing command type in a cluster at version 1', () => {
    for (const type of Object.keys(partitionCommandVersions))
      expect(() => requirePartitionCommandActive(1, type)).not.toThrow();
  });
});
