import { describe, expect, it } from 'vitest';
import { RaftlogError, type ErrorCode } from '../../../lib/index.js';
import type { CliSession } from '../cli-context.js';
import { ensureTopic } from './raftlog-target.js';

/** An admin whose topic is missing and whose creations fail with `failures`, in turn, then succeed. */
function adminFailing(failures: readonly ErrorCode[]) {
  const calls: string[] = [];
  const admin = {
    describeTopic: () => Promise.reject(new RaftlogError('TOPIC_NOT_FOUND', 'no such topic')),
    createTopic: (spec: { name: string }) => {
      const code = failures[calls.length];
      calls.push(spec.name);
      return code === undefined ? Promise.resolve({}) : Promise.reject(new RaftlogError(code, code));
    },
  };
  return { session: { admin } as unknown as Pick<CliSession, 'admin'>, calls };
}

describe('ensureTopic', () => {
  it('creates the topic again after retriable refusals, as right after a start', async () => {
    const { session, calls } = adminFailing(['NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS']);
    await ensureTopic(session, 'bench', { partitions: 1, replicas: 3 });
    expect(calls).toEqual(['bench', 'bench', 'bench']);
  });

  it('takes a topic created meanwhile as there, and gives up at once on a refusal retrying cannot help', async () => {
    const existing = adminFailing(['TOPIC_ALREADY_EXISTS']);
    await ensureTopic(existing.session, 'bench', { partitions: 1, replicas: 3 });
    expect(existing.calls).toHaveLength(1);
    const refused = adminFailing(['INVALID_ARGUMENT']);
    await expect(ensureTopic(refused.session, 'bench', { partitions: 1, replicas: 9 })).rejects.toMatchObject(
      {
        code: 'INVALID_ARGUMENT',
      },
    );
    expect(refused.calls).toHaveLength(1);
  });
});
