import { afterEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../../lib/index.js';
import { controllerLimits } from '../../../cluster/controller/index.js';
import { Admin } from '../../client/admin.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { startServices, stopServices } from './testing/start-services.js';

afterEach(stopServices);

describe('CreateTopics over gRPC', () => {
  it('creates the good topics and answers each bad one with its own error, in order', async () => {
    const { admin } = await startServices();
    await admin.createTopic({ name: 'old', partitions: 1 });
    const { results } = await admin.createTopics({
      topics: [
        { name: 'a', partitions: 2 },
        { name: 'a b', partitions: 1 },
        { name: 'old', partitions: 1 },
        { name: 'c', partitions: 0 },
        { name: 'b', partitions: 1 },
      ],
    });
    expect(results.map((r) => [r.name, r.error?.code ?? ErrorCode.UNSPECIFIED, r.topic?.partitions])).toEqual(
      [
        ['a', ErrorCode.UNSPECIFIED, 2],
        ['a b', ErrorCode.INVALID_TOPIC_NAME, undefined],
        ['old', ErrorCode.TOPIC_ALREADY_EXISTS, undefined],
        ['c', ErrorCode.INVALID_ARGUMENT, undefined],
        ['b', ErrorCode.UNSPECIFIED, 1],
      ],
    );
    const listed = (await admin.listTopics({})).topics.map((t) => t.name);
    expect(listed).toEqual(expect.arrayContaining(['a', 'b', 'old']));
    expect(listed).not.toContain('c');
  });

  it('fails the whole call beyond the batch limit or when empty', async () => {
    const { admin } = await startServices();
    const before = (await admin.listTopics({})).topics;
    const many = Array.from({ length: controllerLimits.topicsPerBatchMax + 1 }, (_, i) => ({
      name: `t${i}`,
      partitions: 1,
    }));
    for (const topics of [[], many]) {
      const code = await admin.createTopics({ topics }).then(
        () => 'ok',
        (e: unknown) => (e instanceof RaftlogError ? e.code : String(e)),
      );
      expect(code).toBe('INVALID_ARGUMENT');
    }
    expect((await admin.listTopics({})).topics).toEqual(before);
  });

  it('reaches the client Admin as one result per topic', async () => {
    const services = await startServices();
    const client = new Admin({ admin: () => services.admin, addresses: () => [services.address] });
    const results = await client.createTopics([
      { name: 'x', partitions: 3 },
      { name: 'x', partitions: 1 },
    ]);
    expect(results.map((r) => ('topic' in r ? r.topic.partitions : r.error.code))).toEqual([
      3,
      'TOPIC_ALREADY_EXISTS',
    ]);
  });
});
