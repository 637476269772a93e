import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { crc32c, Prng, seedsFrom, type GroupId, type LogIndex, type NodeId } from '../../lib/index.js';
import { RaftStorageError, type Entry, type RaftStorage, type Snapshot } from '../../raft/index.js';
import { RaftLogStore, RocksKvStore, type StorageBatch } from '../../storage/index.js';
import type { GroupStateMachine } from './group-state-machine.js';
import { hostDefaults, type HostConfig } from './host-config.js';
import { loadGroup } from './load-group.js';
import { wireClock } from '../../rpc/index.js';
import { MultiRaftHost, type GroupMessage, type MessageSender } from './multi-raft-host.js';

const group = 7 as GroupId;
const voters = [1, 2, 3] as NodeId[];
const entryBytes = 4096;
const budgetBytes = 256 * 1024;
const snapshotBytesMin = 1024 * 1024;
const totalBytes = 8 * 1024 * 1024;

/** Applies entries in order and folds their bytes into a checksum every replica must agree on. */
class DigestMachine implements GroupStateMachine {
  readonly blocked = false;
  count = 0;
  digest = 0;
  restores = 0;
  apply(entry: Entry): unknown {
    this.count++;
    this.digest = crc32c(entry.data, this.digest);
    return this.count;
  }
  skip(): void {}
  restore(snapshot: Snapshot): void {
    this.restores++;
    const v = new DataView(snapshot.data.buffer, snapshot.data.byteOffset, snapshot.data.byteLength);
    this.count = v.getUint32(0);
    this.digest = v.getUint32(4);
  }
  snapshotData(): Uint8Array {
    const out = new Uint8Array(8);
    new DataView(out.buffer).setUint32(0, this.count);
    new DataView(out.buffer).setUint32(4, this.digest);
    return out;
  }
  stage(_batch: StorageBatch): Promise<void> {
    return Promise.resolve();
  }
  afterApply(): void {}
}

interface Node {
  readonly id: NodeId;
  readonly dir: string;
  kv: RocksKvStore;
  host: MultiRaftHost;
  sm: DigestMachine;
}

/** Delivers between in-process hosts; a cut node neither sends nor receives. */
class Wire {
  readonly nodes = new Map<NodeId, Node>();
  readonly cut = new Set<NodeId>();
  sender(from: NodeId): MessageSender {
    return {
      send: (to, messages: readonly GroupMessage[]) => {
        if (this.cut.has(from) || this.cut.has(to)) return;
        const target = this.nodes.get(to);
        if (target) setImmediate(() => target.host.deliver(from, messages));
      },
      connectedPeers: () =>
        new Set(voters.filter((v) => v !== from && !this.cut.has(v) && !this.cut.has(from))),
    };
  }
}

const config = (nodeId: NodeId, ringBytesMin: number): HostConfig => ({
  ...hostDefaults,
  nodeId,
  tickMs: 10,
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 2,
  appendEntriesBytesMax: 64 * 1024,
  uncommittedBytesMax: 1024 * 1024,
  snapshotEntriesMin: 10_000_000,
  snapshotBytesMin,
  // The whole log stays on disk, so the follower must be caught up from it, not from a snapshot.
  compactionTrailEntries: 1_000_000,
  compactionTrailBytes: 1024 * 1024 * 1024,
  logCacheBytesMax: budgetBytes,
  logCacheRingBytesMin: ringBytesMin,
  quiesce: false,
});

/** Bytes of entry data a storage serves without reading the disk: what it holds in memory. */
function heldBytes(storage: RaftStorage): number {
  let bytes = 0;
  for (let i = storage.firstIndex(); i <= storage.lastIndex(); i++) {
    try {
      bytes += storage.entries(i, (i + 1) as LogIndex, Number.MAX_SAFE_INTEGER)[0]!.data.byteLength;
    } catch (error) {
      if (!(error instanceof RaftStorageError)) throw error;
    }
  }
  return bytes;
}

async function until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function startNode(wire: Wire, id: NodeId, dir: string, ringBytesMin: number): Promise<Node> {
  const kv = await RocksKvStore.open(join(dir, 'db'));
  const host = new MultiRaftHost(
    config(id, ringBytesMin),
    kv,
    new RaftLogStore(kv),
    wire.sender(id),
    pino({ level: 'silent' }),
    voters.filter((v) => v !== id),
    wireClock,
    seedsFrom(new Prng(id)),
  );
  const sm = new DigestMachine();
  const node: Node = { id, dir, kv, host, sm };
  wire.nodes.set(id, node);
  await host.addGroup(group, sm, {
    confState: { voters, votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false },
  });
  host.start();
  cleanups.push(async () => {
    await host.stop();
    await kv.close().catch(() => undefined);
  });
  return node;
}

// Each group's share is its node's whole cache here: held in copies of their own, then in a ring.
describe.each([
  { held: 'in copies', ringBytesMin: Number.POSITIVE_INFINITY },
  { held: 'in a ring', ringBytesMin: 64 * 1024 },
])('a group keeps its in-memory log within its byte budget ($held)', ({ ringBytesMin }) => {
  it('bounds the cached log while many MiB commit, loads a bounded tail, and catches a follower up from disk', async () => {
    const wire = new Wire();
    const nodes: Node[] = [];
    for (const id of voters) {
      const dir = await mkdtemp(join(tmpdir(), `raftlog-host-${id}-`));
      dirs.push(dir);
      nodes.push(await startNode(wire, id, dir, ringBytesMin));
    }
    const [n1, , n3] = nodes as [Node, Node, Node];
    wire.cut.add(n3.id);
    n1.host.campaign(group);
    await until('a leader', () => n1.host.group(group)!.isLeader());

    const leader = n1.host.group(group)!;
    let written = 0;
    let seq = 0;
    let proposedDigest = 0;
    let maxHeld = 0;
    while (written < totalBytes) {
      const applied: Promise<unknown>[] = [];
      for (let i = 0; i < 64; i++) {
        const data = new Uint8Array(entryBytes).fill(seq++ & 0xff);
        new DataView(data.buffer).setUint32(0, seq);
        proposedDigest = crc32c(data, proposedDigest);
        applied.push(leader.propose(data).applied);
        written += entryBytes;
      }
      await Promise.all(applied);
      maxHeld = Math.max(maxHeld, heldBytes(leader.storage));
    }
    expect(maxHeld).toBeLessThanOrEqual(budgetBytes);
    expect(heldBytes(leader.storage)).toBeLessThanOrEqual(budgetBytes);
    // The log itself is all still there (on disk): the follower will need it.
    expect(leader.storage.firstIndex()).toBe(1);

    // The lagging follower is caught up from entries read back from RocksDB, not from a snapshot.
    wire.cut.delete(n3.id);
    await until('the follower to catch up', () => n3.sm.count === n1.sm.count);
    expect(n3.sm.restores).toBe(0);
    expect(n3.sm.digest).toBe(n1.sm.digest);
    expect(n1.sm.digest).toBe(proposedDigest);
    expect(n1.sm.count).toBe(seq);

    // A restarted group loads only the tail after its last snapshot, not the whole log.
    await n1.host.stop();
    await n1.kv.close();
    const kv = await RocksKvStore.open(join(n1.dir, 'db'));
    cleanups.push(() => kv.close().catch(() => undefined));
    const loaded = await loadGroup(kv, new RaftLogStore(kv), group, undefined, {
      budgetBytes,
      ringBytesMin,
    });
    expect(loaded.storage.lastIndex()).toBeGreaterThan(totalBytes / entryBytes);
    expect(loaded.snapshot).toBeDefined();
    const tail = heldBytes(loaded.storage);
    expect(tail).toBeLessThanOrEqual(snapshotBytesMin + 64 * entryBytes);
    expect(tail).toBeLessThan(totalBytes / 4);
    // Terms of the entries left on disk are still known.
    expect(loaded.storage.term(1 as LogIndex)).toBeGreaterThan(0);
  }, 120_000);
});
