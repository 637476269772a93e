import { afterEach, describe, expect, it } from 'vitest';
import { AssertionError, NewerFormatError, type LogIndex, type NodeId, type Term } from '../../lib/index.js';
import type { Message } from '../../raft/index.js';
import { freePort } from '../transport/test-harness.js';
import {
  eventually,
  sleep,
  startHostNode,
  stopTracked,
  tempDir,
  testGroup,
  track,
  type HostNode,
} from './host-test-harness.js';

afterEach(stopTracked);

/** A single-voter group on a real host (RocksDB, gRPC): it leads at once. */
async function soloLeader(): Promise<HostNode> {
  const port = await freePort();
  const node = track(
    await startHostNode(1, await tempDir(), port, new Map([[1 as NodeId, `127.0.0.1:${port}`]])),
  );
  node.host.campaign(testGroup);
  await eventually(() => node.group.isLeader(), 10_000, 'node 1 leads');
  return node;
}

const heartbeatResponse: Message = {
  type: 'heartbeat-response',
  from: 2 as NodeId,
  to: 1 as NodeId,
  term: 1 as Term,
  logTerm: 0 as Term,
  index: 0 as LogIndex,
  entries: [],
  commit: 0 as LogIndex,
  reject: false,
  rejectHint: 0 as LogIndex,
};

/** Makes the group's step throw `error` for the next message, as a bug or a bad input would. */
function failNextStep(node: HostNode, error: Error): void {
  const raw = node.group.raw;
  const step = raw.step.bind(raw);
  raw.step = () => {
    raw.step = step;
    throw error;
  };
}

describe('errors while stepping peer messages', () => {
  it('drops, logs and counts a message the group refuses, and carries on', async () => {
    const node = await soloLeader();
    failNextStep(node, new TypeError('not a message this group can take'));
    expect(() =>
      node.host.deliver(2 as NodeId, [{ groupId: testGroup, message: heartbeatResponse }]),
    ).not.toThrow();
    expect(node.host.invalidMessages).toBe(1);
    await node.group.propose(new Uint8Array([1])).applied;
    expect(node.fatal).toEqual([]);
  });

  it('stops the host and reports an assertion failure as fatal', async () => {
    const node = await soloLeader();
    const bug = new AssertionError('an impossible state');
    failNextStep(node, bug);
    expect(() =>
      node.host.deliver(2 as NodeId, [{ groupId: testGroup, message: heartbeatResponse }]),
    ).not.toThrow();
    expect(node.fatal).toEqual([bug]);
    expect(node.host.invalidMessages).toBe(0);
    // Nothing runs any more: a proposal is never applied, and later messages change nothing.
    let applied = false;
    // It fails with SHUTTING_DOWN when the test stops the host.
    node.group.propose(new Uint8Array([1])).applied.then(
      () => (applied = true),
      () => undefined,
    );
    node.host.deliver(2 as NodeId, [{ groupId: testGroup, message: heartbeatResponse }]);
    await sleep(300);
    expect(applied).toBe(false);
    expect(node.fatal).toHaveLength(1);
  });
});

describe('errors while applying committed entries', () => {
  it('stops the host at an entry of a later version instead of applying past it', async () => {
    const node = await soloLeader();
    const later = new NewerFormatError('partition entry of command type 200');
    const apply = node.sm.apply.bind(node.sm);
    node.sm.apply = (entry, batch) => {
      if (entry.data[0] === 200) throw later;
      return apply(entry, batch);
    };
    await node.group.propose(new Uint8Array([1])).applied;
    // The entry after it is committed with it, and never applied.
    node.group.propose(new Uint8Array([200])).applied.catch(() => undefined);
    node.group.propose(new Uint8Array([2])).applied.catch(() => undefined);
    await eventually(() => node.fatal.length > 0, 10_000, 'the host stops');
    expect(node.fatal).toEqual([later]);
    expect(node.sm.entries.map((e) => e[0])).toEqual([1]);
  });
});
