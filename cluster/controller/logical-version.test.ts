import { describe, expect, it } from 'vitest';
import { nodeId, NewerFormatError, type NodeId } from '../../lib/index.js';
import { applyControllerEntry } from './apply-controller-entry.js';
import { initialControllerState } from './apply-controller-command.js';
import {
  decodeControllerEntry,
  decodeControllerSnapshot,
  encodeControllerEntry,
  encodeControllerSnapshot,
} from './controller-codec.js';
import type { ControllerState } from './controller-types.js';
import {
  announcedVersion,
  isVersionActive,
  nodeLogicalVersion,
  raisableVersion,
  requireVersionActive,
} from './logical-version.js';
import { applyAll, lastResult, registerNodes } from './test-helpers.js';
import { controllerCommandVersions, requireCommandActive } from './command-versions.js';

/** A version above this build's, for gating something no node reads yet. */
const testVersion = nodeLogicalVersion + 1;

const raise = (version: number) => ({ type: 'raise-active-version' as const, version });

/** What nodes 1, 2, … announced, in that order. */
function announced(...versions: number[]): Map<NodeId, number> {
  return new Map(versions.map((v, i) => [nodeId(i + 1), v]));
}

describe('raise-active-version', () => {
  it('round-trips as an entry, and a build that knows it applies it', () => {
    const bytes = encodeControllerEntry({ timestampMs: 7, command: raise(2) });
    expect(decodeControllerEntry(bytes)).toEqual({ timestampMs: 7, command: raise(2) });
    const { state, result } = applyControllerEntry(initialControllerState(), bytes, 1);
    expect(result.ok).toBe(true);
    expect(state.activeVersion).toBe(2);
  });

  it('is a command the build before this one does not know, so that build stops on it', () => {
    // What f2efb13 sees: the type is absent from its table, exactly as this stand-in is from ours.
    const later = new TextEncoder().encode(
      '\x01{"timestampMs":1,"command":{"type":"raise-active-version-2","version":3}}',
    );
    expect(() => applyControllerEntry(initialControllerState(), later, 1)).toThrow(NewerFormatError);
  });

  it('raises, never lowers, and refuses a repeat or a bad version changing nothing else', () => {
    const { state, results } = applyAll([
      ...registerNodes(3),
      raise(2),
      raise(2),
      raise(1),
      raise(0),
      raise(1.5),
      raise(testVersion),
    ]);
    expect(results.slice(3).map((r) => r.ok)).toEqual([true, false, false, false, false, true]);
    expect(results[4]).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    expect(state.activeVersion).toBe(testVersion);
    expect(state.appliedIndex).toBe(9);
  });

  it('a new cluster starts at version 1', () => {
    expect(initialControllerState().activeVersion).toBe(1);
  });
});

describe('controller snapshot and the active version', () => {
  const base = (): ControllerState => applyAll(registerNodes(3)).state;

  it('at version 1 writes format 1 without the field, the bytes the build before wrote', () => {
    const bytes = encodeControllerSnapshot(base());
    expect(bytes[0]).toBe(1);
    expect(new TextDecoder().decode(bytes)).not.toContain('activeVersion');
    expect(decodeControllerSnapshot(bytes).activeVersion).toBe(1);
  });

  it('above version 1 writes format 2, which restores the active version', () => {
    const state = applyAll([raise(testVersion)], base()).state;
    const bytes = encodeControllerSnapshot(state);
    expect(bytes[0]).toBe(2);
    const restored = decodeControllerSnapshot(bytes);
    expect(restored).toEqual(state);
    expect(restored.activeVersion).toBe(testVersion);
    // After a restore the version still only grows.
    const after = applyAll([raise(2)], restored);
    expect(lastResult(after.results).ok).toBe(false);
    expect(after.state.activeVersion).toBe(testVersion);
  });

  it('a format 2 snapshot without a version above 1 is corruption', () => {
    const json = JSON.stringify({ ...snapshotJson(base()), activeVersion: 1 });
    const bytes = new Uint8Array([2, ...new TextEncoder().encode(json)]);
    expect(() => decodeControllerSnapshot(bytes)).toThrow(
      expect.objectContaining({ code: 'CORRUPT_MESSAGE' }),
    );
  });
});

function snapshotJson(state: ControllerState): Record<string, unknown> {
  const bytes = encodeControllerSnapshot(state);
  return JSON.parse(new TextDecoder().decode(bytes.subarray(1))) as Record<string, unknown>;
}

describe('raisableVersion: the controller leader raise rule', () => {
  const three = (): ControllerState => applyAll(registerNodes(3)).state;

  it('is the lowest version every member announced', () => {
    expect(raisableVersion(three(), announced(2, 2, 2))).toBe(2);
    expect(raisableVersion(three(), announced(3, 2, 3))).toBe(2);
    expect(raisableVersion(three(), announced(3, 3, 3))).toBe(3);
  });

  it('waits for the slowest node: one that announced nothing holds it at 1', () => {
    expect(raisableVersion(three(), announced(2, 2))).toBeUndefined();
    expect(raisableVersion(three(), announced(2, 2, announcedVersion(0)))).toBeUndefined();
  });

  it('counts members not yet registered, and not removed nodes', () => {
    const all = announced(2, 2, 2);
    expect(raisableVersion(three(), all, [nodeId(4)])).toBeUndefined();
    const removed = applyAll(
      [
        { type: 'decommission-node', nodeId: 3 },
        { type: 'finish-node-removal', nodeId: 3 },
      ],
      three(),
    ).state;
    expect(removed.nodes.get(nodeId(3))?.membership).toBe('removed');
    expect(raisableVersion(removed, announced(2, 2))).toBe(2);
  });

  it('never proposes the active version or below', () => {
    const at3 = applyAll([raise(3)], three()).state;
    expect(raisableVersion(at3, announced(3, 3, 3))).toBeUndefined();
    expect(raisableVersion(at3, announced(2, 2, 2))).toBeUndefined();
    expect(raisableVersion(at3, announced(4, 4, 4))).toBe(4);
  });

  it('proposes nothing with no members known', () => {
    expect(raisableVersion(initialControllerState(), announced(2))).toBeUndefined();
  });
});

describe('the gate', () => {
  it('opens a version only once the cluster activated it', () => {
    const state = applyAll(registerNodes(3)).state;
    expect(isVersionActive(state, 1)).toBe(true);
    expect(isVersionActive(state, testVersion)).toBe(false);
    expect(() => requireVersionActive(state, testVersion, 'a test command')).toThrow(
      expect.objectContaining({
        code: 'UNAVAILABLE',
        message: expect.stringMatching(/a test command needs cluster version 3, active is 1/) as unknown,
      }),
    );
    const raised = applyAll([raise(testVersion)], state).state;
    expect(isVersionActive(raised, testVersion)).toBe(true);
    expect(() => requireVersionActive(raised, testVersion, 'a test command')).not.toThrow();
  });
});

describe('the gate on controller proposals', () => {
  it('gates no command that exists already: all belong to version 1, the raise excepted', () => {
    const state = applyAll(registerNodes(3)).state;
    for (const [type, version] of Object.entries(controllerCommandVersions)) {
      expect([type, version]).toEqual([type, type === 'raise-active-version' ? 2 : 1]);
    }
    expect(() => requireCommandActive(state, { type: 'delete-topic', name: 't' })).not.toThrow();
    expect(() => requireCommandActive(state, raise(2))).not.toThrow();
  });

  it('refuses a command of a test version until the cluster activates it', () => {
    const versions = { ...controllerCommandVersions, 'delete-topic': testVersion };
    const command = { type: 'delete-topic' as const, name: 't' };
    const at1 = applyAll(registerNodes(3)).state;
    expect(() => requireCommandActive(at1, command, versions)).toThrow(
      expect.objectContaining({ code: 'UNAVAILABLE' }),
    );
    const at2 = applyAll([raise(2)], at1).state;
    expect(() => requireCommandActive(at2, command, versions)).toThrow(
      /needs cluster version 3, active is 2/,
    );
    const at3 = applyAll([raise(testVersion)], at2).state;
    expect(() => requireCommandActive(at3, command, versions)).not.toThrow();
  });
});
