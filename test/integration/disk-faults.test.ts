import { readFileSync } from 'node:fs';
import { rm, truncate } from 'node:fs/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  flipRandomByte,
  listDataFiles,
  recoverFromDiskFault,
  truncateRandomFile,
  wipeDataDir,
  type DiskFault,
  type DiskFileClass,
} from '../../chaos/faults/index.js';
import { Prng, RaftlogError } from '../../lib/index.js';
import { Admin, Producer, RaftlogClient } from '../../src/client/index.js';
import { sleep, startCluster, type ReadRecord, type TestCluster, type TestNode } from './harness/index.js';

const topic = 'disk';
// Seed 1 puts a flipped SST byte three quarters into the file, among the stored record batches, and
// cuts a WAL to three quarters; RAFTLOG_DISK_FAULT_SEED picks other places (see the README).
const seed = Number(process.env.RAFTLOG_DISK_FAULT_SEED ?? 1);
// Enough for the engine to flush a memtable (4 MiB here, not the default 32), so every node holds an
// SST besides its WAL.
const recordsBefore = 4_000;
const smallMemtables = (): Record<string, string> => ({
  RAFTLOG_STORAGE_WRITE_BUFFER_BYTES: String(4 * 1024 * 1024),
});
const recordsWhileDown = 300;
const padding = 'x'.repeat(2_000);
const inSyncTimeoutMs = 20_000;
const catchUpTimeoutMs = 10_000;
const transferTimeoutMs = 20_000;

interface Written {
  /** Acknowledged values and the offsets they were given. */
  readonly acked: Map<string, number>;
  /** Every value sent, acknowledged or not: an unacknowledged one may be stored, once. */
  readonly sent: Set<string>;
}

type Restart = { readonly started: true } | { readonly started: false; readonly refusal: string };

/** Writes `count` records with an idempotent producer and records what was acknowledged where. */
async function produce(
  cluster: TestCluster,
  into: Written,
  tag: string,
  count: number,
  pad = padding,
): Promise<void> {
  const client = new RaftlogClient({ bootstrap: cluster.liveNodes().map((n) => n.address) });
  const producer = new Producer(client, {
    lingerMs: 2,
    batchRecordsMax: 50,
    deliveryTimeoutMs: 30_000,
  });
  const sends: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const value = `${tag}-${i}-${pad}`;
    into.sent.add(value);
    sends.push(
      producer.send({ topic, partition: 0, value }).then(
        (ack) => void into.acked.set(value, ack.offset),
        () => undefined,
      ),
    );
  }
  await Promise.all(sends);
  await producer.close();
  client.close();
}

/** Every acknowledged record once, at its acknowledged offset; nothing else but sent values, once. */
function expectAllAcked(read: readonly ReadRecord[], written: Written, where: string): void {
  const offsets = new Map<string, bigint>();
  for (const { value, offset } of read) {
    expect(offsets.has(value), `${where}: ${value.slice(0, 12)} stored twice`).toBe(false);
    expect(written.sent.has(value), `${where}: a value never sent at ${offset}`).toBe(true);
    offsets.set(value, offset);
  }
  for (const [value, offset] of written.acked) {
    expect(offsets.get(value), `${where}: acknowledged ${value.slice(0, 12)}`).toBe(BigInt(offset));
  }
}

/** Moves the partition's leadership to `node`, asking the current leader (a damaged node may not know). */
async function leadOn(cluster: TestCluster, node: TestNode): Promise<void> {
  const deadline = Date.now() + transferTimeoutMs;
  for (;;) {
    const current = await cluster.waitForLeader(topic, 0);
    if (current.leaderId === node.id) return;
    if (Date.now() > deadline) throw new Error(`leadership of ${topic}/0 did not move to node ${node.id}`);
    try {
      await cluster
        .admin(current.address)
        .transferLeadership({ topic, partition: 0, targetNodeId: node.id }, { timeoutMs: 10_000 });
    } catch (error) {
      // A node that rejoined may still be catching up when first asked: ask again.
      if (!(error instanceof RaftlogError && error.retriable)) throw error;
    }
  }
}

/** Reads the whole partition from `node`, made its leader once it has caught up. */
async function readFrom(cluster: TestCluster, node: TestNode, written: Written): Promise<ReadRecord[]> {
  expect(await catchesUp(cluster, node, written, inSyncTimeoutMs), `node ${node.id} caught up`).toBe(true);
  await leadOn(cluster, node);
  return cluster.readPartition(topic, 0, { fromNode: node.id, timeoutMs: 30_000 });
}

/** Error lines the node logged since its last start that name corrupt storage. */
function corruptionLogged(node: TestNode): string[] {
  const sinceStart = readFileSync(node.logFile, 'utf8').split('--- raftlog node').at(-1) ?? '';
  return sinceStart
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line) && /Corruption|CorruptionError/.test(line))
    .map((line) => line.slice(0, 300));
}

async function restart(node: TestNode): Promise<Restart> {
  try {
    await node.start();
    return { started: true };
  } catch (error) {
    return { started: false, refusal: (error as Error).message };
  }
}

/** What a damaged read may end in: a clear corruption error, never other bytes. */
function isCorruptionReport(error: unknown): boolean {
  return (
    error instanceof RaftlogError &&
    (error.code === 'CORRUPTION' || (error.code === 'INTERNAL' && /Corruption/.test(error.message)))
  );
}

/** The commit index of the partition as `node` itself sees it (0 where its group does not run). */
async function commitIndexOn(cluster: TestCluster, node: TestNode): Promise<bigint> {
  const status = await cluster.admin(node.address).clusterStatus({}, { timeoutMs: 2_000 });
  return status.partitions.find((p) => p.topic === topic && p.partition === 0)?.commitIndex ?? 0n;
}

/**
 * Whether `node` holds everything committed so far: the leader's commit index is read, one more
 * record is written (its append carries that commit index to every follower that can take it), and
 * `node`'s own commit index must reach it. The in-sync list is no proof: it allows a lag, and a
 * leader's view of a follower that lost entries is the match index from before the loss.
 */
async function catchesUp(
  cluster: TestCluster,
  node: TestNode,
  written: Written,
  timeoutMs: number,
): Promise<boolean> {
  const leader = await cluster.waitForLeader(topic, 0);
  const target = await commitIndexOn(cluster, cluster.node(leader.leaderId));
  await produce(cluster, written, `nudge-${written.sent.size}`, 1);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await commitIndexOn(cluster, node).catch(() => 0n)) >= target) return true;
    await sleep(100, cluster.signal);
  }
  return false;
}

type Started = 'intact' | 'reported' | 'stuck';

/**
 * What the damaged node that started does: catch up and, made leader, serve exactly what was
 * acknowledged ('intact'); report its damage ('reported': a fetch answered with a corruption error,
 * or, for damage found outside a fetch such as opening the partition, the error in its log); or,
 * after losing the tail of its WAL, stay behind its leader for good ('stuck', see the known defect
 * below). Never other bytes.
 */
async function startedOutcome(cluster: TestCluster, victim: TestNode, written: Written): Promise<Started> {
  const caughtUp = await catchesUp(cluster, victim, written, catchUpTimeoutMs);
  if (corruptionLogged(victim).length > 0) return 'reported';
  if (!caughtUp) return 'stuck';
  const served = await readFrom(cluster, victim, written).catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
  if (!(served instanceof Error)) {
    expectAllAcked(served, written, `damaged node ${victim.id}`);
    return 'intact';
  }
  const reported = isCorruptionReport(served) || corruptionLogged(victim).length > 0;
  expect(reported, `damaged node ${victim.id}: ${served.message}`).toBe(true);
  return 'reported';
}

/**
 * The damaged node either refused to start with a clear reason and a non-zero exit, or started (see
 * startedOutcome). Unless it serves everything intact, it is then rebuilt from its peers (wiped,
 * same id), and must serve every acknowledged record.
 */
async function expectDetectedOrIntact(
  cluster: TestCluster,
  victim: TestNode,
  outcome: Restart,
  written: Written,
  mayStick: boolean,
): Promise<string> {
  let result = 'refused to start';
  if (!outcome.started) {
    expect(outcome.refusal).toMatch(/exited with code [1-9]\d*/);
    expect(outcome.refusal).toMatch(/Corruption|IO error|corrupt/i);
  } else {
    const started = await startedOutcome(cluster, victim, written);
    if (started === 'intact') return 'started, served every acknowledged record';
    if (started === 'stuck') expect(mayStick, `damaged node ${victim.id} never caught up`).toBe(true);
    result = started === 'stuck' ? 'started, stayed behind its leader' : 'started, reported the damage';
    await victim.stop();
  }
  await rebuild(cluster, victim);
  expectAllAcked(await readFrom(cluster, victim, written), written, `rebuilt node ${victim.id}`);
  return `${result}, rebuilt`;
}

/** Wipes the node and starts it again; the other nodes' Admin service renews its groups' leaders. */
async function rebuild(cluster: TestCluster, victim: TestNode): Promise<void> {
  const others = cluster.nodes.filter((n) => n !== victim).map((n) => n.address);
  const client = new RaftlogClient({ bootstrap: others });
  try {
    await recoverFromDiskFault(victim, new Admin(client, { timeoutMs: 20_000 }));
  } finally {
    client.close();
  }
}

/** Every healthy node, made leader in turn, serves every acknowledged record. */
async function expectMajorityIntact(cluster: TestCluster, victim: TestNode, written: Written) {
  for (const node of cluster.nodes.filter((n) => n !== victim)) {
    expectAllAcked(await readFrom(cluster, node, written), written, `healthy node ${node.id}`);
  }
}

type Damage = (dataDir: string, prng: Prng) => Promise<DiskFault>;

const flip =
  (fileClass: DiskFileClass): Damage =>
  (dir, prng) =>
    flipRandomByte(dir, prng, fileClass);
const cut =
  (fileClass: DiskFileClass): Damage =>
  (dir, prng) =>
    truncateRandomFile(dir, prng, fileClass);

/** The victim: the partition's leader, or the lowest-id follower. */
function pick(cluster: TestCluster, role: 'follower' | 'leader', leaderId: number): TestNode {
  return role === 'leader' ? cluster.node(leaderId) : cluster.nodes.find((n) => n.id !== leaderId)!;
}

/** Where the records live: inline in RocksDB (its SSTs and WAL), or in the entry files. */
type RecordsIn = 'rocksdb' | 'entries';

async function scenario(
  role: 'follower' | 'leader',
  damage: Damage,
  mayStick = false,
  recordsIn: RecordsIn = 'rocksdb',
): Promise<void> {
  // Records in RocksDB: every entry kept inline there (entries of about 100 KB), as before the
  // entry files; otherwise their data goes to the entry files.
  const inline = recordsIn === 'rocksdb' ? { RAFTLOG_ENTRY_INLINE_BYTES_MAX: String(1024 ** 3) } : {};
  const cluster = await startCluster({ nodes: 3, nodeEnv: () => ({ ...smallMemtables(), ...inline }) });
  await cluster.createTopic(topic, 1, 3);
  const written: Written = { acked: new Map(), sent: new Set() };
  await produce(cluster, written, 'before', recordsBefore);
  const leader = await cluster.waitForLeader(topic, 0);
  const victim = pick(cluster, role, leader.leaderId);
  // A crashed leader, a follower stopped in order: both leave what they fsynced on disk.
  await (role === 'leader' ? victim.kill('SIGKILL') : victim.stop());
  expect(
    (await listDataFiles(victim.dataDir, recordsIn === 'rocksdb' ? 'sst' : 'entries')).length,
  ).toBeGreaterThan(0);
  const fault = await damage(victim.dataDir, new Prng(seed));
  await produce(cluster, written, 'down', recordsWhileDown);
  expect(written.acked.size).toBe(written.sent.size);
  const outcome = await restart(victim);
  const result = await expectDetectedOrIntact(cluster, victim, outcome, written, mayStick);
  await expectMajorityIntact(cluster, victim, written);
  console.log(JSON.stringify({ test: 'disk-faults', seed, role, fault: fault.detail, result }));
}

/**
 * Disk faults on one node of three (seed printed; RAFTLOG_DISK_FAULT_SEED replays the choice of file
 * and position when the files are the same). Outcomes seen here: a cut SST or MANIFEST makes the
 * node refuse to start ("Corruption: file is too short …", exit 1); a flipped SST byte is found on
 * read (the engine's decompression or the batch's CRC32C) or lies in data never read; a cut WAL is
 * taken as a torn tail by the engine, the node starts with a shorter log and catches up.
 */
describe(`disk faults on one node of three (seed ${seed})`, () => {
  it('a flipped byte in an SST of a follower', () => scenario('follower', flip('sst')), 60_000);
  it('a truncated WAL of a follower', () => scenario('follower', cut('wal'), true), 60_000);
  it('a truncated SST of a follower', () => scenario('follower', cut('sst')), 60_000);
  it('a flipped byte in an SST of a former leader', () => scenario('leader', flip('sst')), 60_000);
  it('a truncated WAL of a former leader', () => scenario('leader', cut('wal'), true), 60_000);
  it(
    'a flipped byte in an entry file of a follower',
    () => scenario('follower', flip('entries'), false, 'entries'),
    60_000,
  );
  it(
    'a truncated entry file of a former leader',
    () => scenario('leader', cut('entries'), false, 'entries'),
    60_000,
  );

  /**
   * Once a known defect: a leader kept a follower's match index from before the follower lost
   * entries it had acknowledged, so the follower never caught up while that leader led, yet was
   * listed in sync. The follower now reports the loss in its heartbeat response and the leader
   * sends the entries again.
   */
  it('a follower rebuilt from an empty directory catches up while the same leader leads', async () => {
    const cluster = await startCluster({ nodes: 3, nodeEnv: smallMemtables });
    await cluster.createTopic(topic, 1, 3);
    const written: Written = { acked: new Map(), sent: new Set() };
    await produce(cluster, written, 'before', 1_000);
    const victim = pick(cluster, 'follower', (await cluster.waitForLeader(topic, 0)).leaderId);
    await victim.stop();
    await wipeDataDir(victim.dataDir);
    await produce(cluster, written, 'down', recordsWhileDown);
    await victim.start();
    // Ample: with its leaders renewed, a rebuilt node catches up within a few seconds here.
    expect(await catchesUp(cluster, victim, written, 5_000)).toBe(true);
  }, 60_000);

  /**
   * Known defect, the same one with a second fault: records acknowledged by the leader and one
   * follower while the third node was down are lost when that follower's WAL is cut (the engine
   * drops the tail without a word) and the leader crashes. The follower has no idea it forgot
   * entries it acknowledged, votes, and the two nodes without the records elect a leader whose log
   * then replaces the old leader's. Small records keep everything in the WAL, so the cut always
   * reaches them.
   */
  it.fails(
    'records acknowledged by a leader and a follower survive a cut WAL on the follower and a leader crash',
    async () => {
      const cluster = await startCluster({ nodes: 3, nodeEnv: smallMemtables });
      onTestFinished(async () => {
        await cluster.stopAll();
        await rm(cluster.dir, { recursive: true, force: true });
      });
      await cluster.createTopic(topic, 1, 3);
      const leader = cluster.node((await cluster.waitForLeader(topic, 0)).leaderId);
      const [follower, down] = cluster.nodes.filter((n) => n !== leader) as [TestNode, TestNode];
      await down.kill();
      const written: Written = { acked: new Map(), sent: new Set() };
      await produce(cluster, written, 'two-copies', 2_000, '');
      await follower.stop();
      for (const wal of await listDataFiles(follower.dataDir, 'wal')) await truncate(wal.path, wal.size / 2);
      await leader.kill();
      await Promise.all([follower.start(), down.start()]);
      await cluster.waitForLeader(topic, 0, { timeoutMs: 30_000 });
      await leader.start();
      const read = await cluster.readPartition(topic, 0, { timeoutMs: 30_000 });
      expectAllAcked(read, written, 'after the leader came back');
    },
    60_000,
  );
});
