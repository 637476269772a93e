import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RaftlogError } from '../../../lib/index.js';
import { createClient } from '../../../rpc/index.js';
import { ErrorCode } from '../../../proto/gen/raftlog/v1/errors_pb.js';
import { SecurityService } from '../../../proto/gen/raftlog/v1/security_pb.js';
import { RaftlogClient, ScramTokenSource, SecurityAdmin } from '../../client/index.js';
import { deriveScramCredentials } from '../../security/index.js';
import { batchOf, startServices, stopServices, type Services } from '../services/testing/start-services.js';
import { AuthGuard } from './auth-guard.js';

const failure = (call: Promise<unknown>): Promise<RaftlogError | 'ok'> =>
  call.then(
    () => 'ok' as const,
    (e: unknown) => RaftlogError.from(e),
  );

let services: Services;
/** How far the server's clock runs ahead of the test's. */
let serverAheadMs = 0;
let clients: RaftlogClient[] = [];

async function addUser(name: string, password: string): Promise<void> {
  const c = deriveScramCredentials(password, 4096);
  const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
  await services.api.security.propose({
    type: 'upsert-user',
    name,
    salt: b64(c.salt),
    iterations: c.iterations,
    storedKey: b64(c.storedKey),
    serverKey: b64(c.serverKey),
    tokenKey: AuthGuard.newTokenKey(),
    ifAbsent: false,
  });
}

function rootFetchQuota(fetchBytesPerSec: number): Promise<unknown> {
  return services.api.security.propose({
    type: 'set-quota',
    principal: 'User:root',
    produceBytesPerSec: 0,
    fetchBytesPerSec,
  });
}

function clientAs(user: string, password: string): RaftlogClient {
  const client = new RaftlogClient({ bootstrap: services.address, auth: { user, password } });
  clients.push(client);
  return client;
}

beforeEach(async () => {
  services = await startServices(
    {},
    (api) =>
      new AuthGuard(
        api.security,
        { mode: 'required', superusers: ['User:root'], tokenTtlMs: 60_000 },
        1,
        () => Date.now() + serverAheadMs,
      ),
  );
  await addUser('root', 'root-password');
  await addUser('writer', 'writer-password');
  await services.api.security.propose({
    type: 'add-acls',
    rules: [
      {
        principal: 'User:writer',
        resourceType: 'topic',
        resourceName: 't',
        patternType: 'literal',
        operation: 'produce',
      },
    ],
  });
});

afterEach(() => {
  serverAheadMs = 0;
  for (const c of clients) c.close();
  clients = [];
  stopServices();
});

describe('the auth choke point (auth required)', () => {
  it('refuses calls without credentials with AUTHENTICATION_FAILED (UNAUTHENTICATED)', async () => {
    const produce = await failure(services.broker.produce({ topic: 't', partition: 0, batch: batchOf('a') }));
    const fetch = await failure(
      services.broker.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] }),
    );
    const admin = await failure(services.admin.createTopic({ name: 'x', partitions: 1 }));
    for (const e of [produce, fetch, admin]) {
      expect(e).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
      expect(e === 'ok' ? '' : e.message).toMatch(/authentication required/);
    }
    expect(services.api.produced).toHaveLength(0);
  });

  it('refuses a wrong password and a forged token', async () => {
    const wrong = new ScramTokenSource([services.address], { user: 'writer', password: 'nope' });
    expect(await failure(wrong.login())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    const unknown = new ScramTokenSource([services.address], { user: 'ghost', password: 'nope' });
    expect(await failure(unknown.login())).toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    wrong.close();
    unknown.close();
    const forged = await failure(
      services.broker.produce(
        { topic: 't', partition: 0, batch: batchOf('a') },
        {
          metadata: {
            authorization: 'Bearer v1.eyJwIjoiVXNlcjpyb290IiwiZSI6OTk5OTk5OTk5OTk5OSwidSI6LTF9.AAAA',
          },
        },
      ),
    );
    expect(forged).toMatchObject({ code: 'AUTHENTICATION_FAILED', message: 'invalid session token' });
  });

  it('lets a produce-only principal produce but not consume or administer, naming what it lacks', async () => {
    const writer = clientAs('writer', 'writer-password');
    const broker = writer.broker(services.address);
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('a') });
    expect(services.api.produced).toHaveLength(1);
    expect(
      await failure(broker.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] })),
    ).toMatchObject({
      code: 'AUTHORIZATION_FAILED',
      message: "User:writer may not call BrokerService.Fetch: no ACL allows consume on topic 't'",
    });
    const deleted = await failure(writer.admin(services.address).deleteTopic({ name: 't' }));
    expect(deleted).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    expect(deleted === 'ok' ? '' : deleted.message).toMatch(/admin on topic 't'/);
    const other = await failure(broker.produce({ topic: 'other', partition: 0, batch: batchOf('a') }));
    expect(other).toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    expect((await broker.metadata({})).topics.map((t) => t.name)).toEqual(['t']);
  });

  it('answers CreateTopics topic by topic: the ones the principal may administer are created', async () => {
    await services.api.security.propose({
      type: 'add-acls',
      rules: [
        {
          principal: 'User:writer',
          resourceType: 'topic',
          resourceName: 'mine-',
          patternType: 'prefix',
          operation: 'admin',
        },
      ],
    });
    const admin = clientAs('writer', 'writer-password').admin(services.address);
    const { results } = await admin.createTopics({
      topics: ['mine-a', 'theirs', 'mine-b'].map((name) => ({ name, partitions: 1 })),
    });
    expect(results.map((r) => [r.name, r.topic?.name, r.error?.code])).toEqual([
      ['mine-a', 'mine-a', undefined],
      ['theirs', undefined, ErrorCode.AUTHORIZATION_FAILED],
      ['mine-b', 'mine-b', undefined],
    ]);
    expect(results[1]!.error!.message).toContain("admin on topic 'theirs'");
    const none = await admin.createTopics({ topics: [{ name: 'theirs', partitions: 1 }] });
    expect(none.results.map((r) => r.error?.code)).toEqual([ErrorCode.AUTHORIZATION_FAILED]);
    const root = clientAs('root', 'root-password').admin(services.address);
    const listed = (await root.listTopics({})).topics.map((t) => t.name);
    expect(listed).not.toContain('theirs');
  });

  it('lists only the queue groups the caller may describe', async () => {
    await services.api.security.propose({
      type: 'add-acls',
      rules: ['t', 'mine'].map((name, i) => ({
        principal: 'User:writer',
        resourceType: i === 0 ? 'topic' : 'group',
        resourceName: name,
        patternType: 'literal',
        operation: 'describe',
      })),
    });
    const queues = ['mine', 'theirs'];
    services.api.queues.listGroups = (input) =>
      Promise.resolve(
        [0, 1]
          .map((partition) => ({
            partition,
            queues,
            code: undefined,
            message: '',
            leaderHint: undefined,
          }))
          .filter(() => input.topic === 't'),
      );
    const writer = clientAs('writer', 'writer-password').broker(services.address);
    const listed = await writer.listQueueGroups({ topic: 't' });
    expect(listed.partitions.map((p) => p.queues)).toEqual([['mine'], ['mine']]);
    expect(await failure(writer.listQueueGroups({ topic: 'u' }))).toMatchObject({
      code: 'AUTHORIZATION_FAILED',
    });
    const root = clientAs('root', 'root-password').broker(services.address);
    expect((await root.listQueueGroups({ topic: 't' })).partitions[0]?.queues).toEqual(queues);
  });

  it('lets a superuser manage users and ACLs, which take effect on the next call', async () => {
    const root = clientAs('root', 'root-password');
    const admin = new SecurityAdmin(root, services.address);
    expect(await admin.whoAmI()).toEqual({ principal: 'User:root', authRequired: true, superuser: true });
    await admin.addAcls([
      {
        principal: 'User:writer',
        resourceType: 'topic',
        resourceName: 't',
        patternType: 'prefix',
        operation: 'consume',
      },
    ]);
    const writer = clientAs('writer', 'writer-password').broker(services.address);
    await writer.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] });
    await admin.removeUser('writer');
    expect(
      await failure(writer.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] })),
    ).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
  });

  it('throttles a fetch over its quota and reports throttle_time_ms', async () => {
    await rootFetchQuota(1000);
    const broker = clientAs('root', 'root-password').broker(services.address);
    await broker.produce({ topic: 't', partition: 0, batch: batchOf('x'.repeat(1500)) });
    const started = Date.now();
    const response = await broker.fetch({ partitions: [{ topic: 't', partition: 0, offset: 0n }] });
    expect(response.throttleTimeMs).toBeGreaterThan(300);
    expect(Date.now() - started).toBeGreaterThanOrEqual(response.throttleTimeMs - 5);
  });

  it('makes the next lease wait for the fetch quota before it leases, and reports the wait', async () => {
    await rootFetchQuota(1000);
    const leasedAt: number[] = [];
    Object.assign(services.api.queues, {
      lease: () => {
        leasedAt.push(Date.now());
        const record = { offset: 0, timestamp: 0, key: null, value: new Uint8Array(1500), headers: [] };
        const message = { partition: 0, record, leaseId: 1, deliveryCount: 1, expiresAtMs: 0 };
        return Promise.resolve([message]);
      },
    });
    const broker = clientAs('root', 'root-password').broker(services.address);
    const first = await broker.lease({ queue: 'q', topic: 't', maxMessages: 1 });
    expect(first.throttleTimeMs).toBe(0);
    const started = Date.now();
    const second = await broker.lease({ queue: 'q', topic: 't', maxMessages: 1 });
    expect(second.messages).toHaveLength(1);
    expect(second.throttleTimeMs).toBeGreaterThan(300);
    expect(leasedAt[1]! - started).toBeGreaterThanOrEqual(second.throttleTimeMs - 5);
  });

  it('renews a token when a fifth of its lifetime is left, and the new one is accepted', async () => {
    let now = Date.now();
    const tokens = new ScramTokenSource(
      [services.address],
      { user: 'writer', password: 'writer-password' },
      () => now,
    );
    const first = await tokens.headers();
    expect(await tokens.headers()).toEqual(first);
    now += 50_000; // 60 s tokens: less than a fifth of the lifetime is left
    const renewed = await tokens.headers();
    expect(renewed).not.toEqual(first);
    tokens.close();
    await services.broker.produce({ topic: 't', partition: 0, batch: batchOf('a') }, { metadata: renewed });
    expect(services.api.produced).toHaveLength(1);
  });

  it('refuses an expired token; the client logs in again once its own clock says so', async () => {
    let now = Date.now();
    const tokens = new ScramTokenSource(
      [services.address],
      { user: 'writer', password: 'writer-password' },
      () => now,
    );
    const old = await tokens.headers();
    serverAheadMs = 61_000;
    const expired = await failure(
      services.broker.produce({ topic: 't', partition: 0, batch: batchOf('a') }, { metadata: old }),
    );
    expect(expired).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
      message: 'session token expired; authenticate again',
    });
    now += 61_000;
    await services.broker.produce(
      { topic: 't', partition: 0, batch: batchOf('a') },
      { metadata: await tokens.headers() },
    );
    tokens.close();
  });

  it('answers ScramStart to anyone, and rejects a malformed client-first-message', async () => {
    const security = createClient(SecurityService, services.address);
    expect(await failure(security.scramStart({ clientFirstMessage: 'p=tls,,n=a,r=x' }))).toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
    security.close();
  });
});
