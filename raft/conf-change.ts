import { RaftlogError, type NodeId } from '../lib/index.js';
import type { ConfState } from './log-types.js';

export type ConfChangeType = 'add-voter' | 'add-learner' | 'remove-node';

/** Empty `changes` on a joint configuration leaves it. */
export interface ConfChange {
  readonly changes: readonly { readonly type: ConfChangeType; readonly nodeId: NodeId }[];
  /** 'auto' leaves the joint configuration by itself once it is committed; 'explicit' waits for an empty change. */
  readonly transition: 'auto' | 'explicit';
}

const typeCodes: readonly ConfChangeType[] = ['add-voter', 'add-learner', 'remove-node'];
const codecVersion = 1;

/** [version u8][transition u8][count u16][type u8, nodeId u32]* */
export function encodeConfChange(cc: ConfChange): Uint8Array {
  const out = new Uint8Array(4 + cc.changes.length * 5);
  const view = new DataView(out.buffer);
  view.setUint8(0, codecVersion);
  view.setUint8(1, cc.transition === 'auto' ? 0 : 1);
  view.setUint16(2, cc.changes.length);
  cc.changes.forEach((c, i) => {
    view.setUint8(4 + i * 5, typeCodes.indexOf(c.type));
    view.setUint32(5 + i * 5, c.nodeId);
  });
  return out;
}

export function decodeConfChange(data: Uint8Array): ConfChange {
  const bad = (why: string): never => {
    throw new RaftlogError('CORRUPT_MESSAGE', `bad conf change: ${why}`);
  };
  if (data.byteLength < 4) bad('too short');
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint8(0) !== codecVersion) bad(`version ${view.getUint8(0)}`);
  const transition = view.getUint8(1) === 0 ? 'auto' : 'explicit';
  const count = view.getUint16(2);
  if (data.byteLength !== 4 + count * 5) bad('length');
  const changes = Array.from({ length: count }, (_, i) => {
    const type = typeCodes[view.getUint8(4 + i * 5)] ?? bad('type');
    return { type, nodeId: view.getUint32(5 + i * 5) as NodeId };
  });
  return { changes, transition };
}

const without = (ids: readonly NodeId[], id: NodeId): NodeId[] => ids.filter((x) => x !== id);
const withId = (ids: readonly NodeId[], id: NodeId): NodeId[] => (ids.includes(id) ? [...ids] : [...ids, id]);

export function isJoint(cs: ConfState): boolean {
  return cs.votersOutgoing.length > 0;
}

/**
 * The configuration after a change, or an error message when the change is not allowed. A single
 * voter change with 'auto' applies directly; anything larger goes through a joint configuration.
 */
export function nextConfState(cs: ConfState, cc: ConfChange): ConfState | string {
  if (cc.changes.length === 0) {
    if (!isJoint(cs)) return 'not in a joint configuration';
    return {
      voters: cs.voters,
      votersOutgoing: [],
      learners: [...cs.learners, ...cs.learnersNext],
      learnersNext: [],
      autoLeave: false,
    };
  }
  if (isJoint(cs)) return 'a joint configuration must be left first';
  const voterChanges = cc.changes.filter(
    (c) => c.type !== 'add-learner' || cs.voters.includes(c.nodeId),
  ).length;
  const simple = voterChanges <= 1 && cc.transition === 'auto';
  let voters = [...cs.voters];
  let learners = [...cs.learners];
  let learnersNext: NodeId[] = [];
  for (const c of cc.changes) {
    voters = without(voters, c.nodeId);
    learners = without(learners, c.nodeId);
    if (c.type === 'add-voter') voters = withId(voters, c.nodeId);
    if (c.type === 'add-learner') {
      // A voter of the outgoing side becomes a learner only once the joint configuration is left.
      if (!simple && cs.voters.includes(c.nodeId)) learnersNext = withId(learnersNext, c.nodeId);
      else learners = withId(learners, c.nodeId);
    }
  }
  if (voters.length === 0) return 'a configuration needs at least one voter';
  if (simple) return { voters, votersOutgoing: [], learners, learnersNext: [], autoLeave: false };
  return {
    voters,
    votersOutgoing: [...cs.voters],
    learners,
    learnersNext,
    autoLeave: cc.transition === 'auto',
  };
}

export function allVoters(cs: ConfState): NodeId[] {
  return [...new Set([...cs.voters, ...cs.votersOutgoing])];
}

export function allMembers(cs: ConfState): NodeId[] {
  return [...new Set([...cs.voters, ...cs.votersOutgoing, ...cs.learners, ...cs.learnersNext])];
}
