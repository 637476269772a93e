import { Prng, type LogIndex, type NodeId, type Term } from '../../lib/index.js';
import type { RaftConfig } from '../config.js';
import { decodeConfChange } from '../conf-change.js';
import type { ConfState, Entry } from '../log-types.js';
import { MemoryRaftStorage } from '../memory-raft-storage.js';
import type { Message } from '../message.js';
import { RawNode } from '../raw-node.js';

export type TestOptions = Partial<Omit<RaftConfig, 'id' | 'storage' | 'prng'>>;

const defaults: Omit<RaftConfig, 'id' | 'storage' | 'prng'> = {
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 1,
  appendEntriesBytesMax: 1024 * 1024,
  inflightMessagesMax: 256,
  uncommittedBytesMax: 1024 * 1024,
  snapshotChunkBytesMax: 1024 * 1024,
  preVote: false,
  checkQuorum: false,
  readOnly: 'safe',
};

export const ids = (...n: number[]): NodeId[] => n as NodeId[];

/** A storage holding `terms[i]` at index i + 1, a hard state, and the voters as its configuration. */
export function storageWith(
  voters: readonly number[],
  terms: readonly number[] = [],
  hard: { term?: number; vote?: number; commit?: number } = {},
): MemoryRaftStorage {
  const s = new MemoryRaftStorage();
  const confState: ConfState = {
    voters: ids(...voters),
    votersOutgoing: [],
    learners: [],
    learnersNext: [],
    autoLeave: false,
  };
  s.bootstrap(confState);
  s.append(terms.map((t, i) => entry(i + 1, t)));
  s.setHardState({
    term: (hard.term ?? terms[terms.length - 1] ?? 0) as Term,
    vote: (hard.vote ?? 0) as NodeId | 0,
    commit: (hard.commit ?? 0) as LogIndex,
  });
  return s;
}

export function entry(index: number, term: number, data = ''): Entry {
  return {
    index: index as LogIndex,
    term: term as Term,
    type: 'normal',
    data: new TextEncoder().encode(data),
  };
}

export interface TestNode {
  raw: RawNode;
  storage: MemoryRaftStorage;
  applied: Entry[];
}

/**
 * An in-memory network that runs every node's Ready loop in order: persist into the node's
 * MemoryRaftStorage, send, apply (conf changes included), advance. Links can be cut and messages
 * filtered; delivery order is deterministic.
 */
export class TestNetwork {
  readonly nodes = new Map<NodeId, TestNode>();
  private readonly cut = new Set<string>();
  private queue: Message[] = [];
  drop: (m: Message) => boolean = () => false;
  readonly delivered: Message[] = [];

  constructor(storages: Map<number, MemoryRaftStorage>, options: TestOptions = {}, seed = 1) {
    for (const [id, storage] of storages) this.start(id, storage, options, seed);
  }

  static of(n: number, options: TestOptions = {}): TestNetwork {
    const all = Array.from({ length: n }, (_, i) => i + 1);
    return new TestNetwork(new Map(all.map((id) => [id, storageWith(all)])), options);
  }

  start(id: number, storage: MemoryRaftStorage, options: TestOptions = {}, seed = 1): TestNode {
    const raw = new RawNode({
      ...defaults,
      ...options,
      id: id as NodeId,
      storage,
      prng: new Prng(seed * 100 + id),
    });
    const node = { raw, storage, applied: [] };
    this.nodes.set(id as NodeId, node);
    return node;
  }

  node(id: number): TestNode {
    const n = this.nodes.get(id as NodeId);
    if (n === undefined) throw new Error(`no node ${id}`);
    return n;
  }

  status(id: number) {
    return this.node(id).raw.status();
  }

  cutLink(a: number, b: number): void {
    this.cut.add(`${a}>${b}`);
    this.cut.add(`${b}>${a}`);
  }

  isolate(id: number): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  heal(): void {
    this.cut.clear();
  }

  campaign(id: number): void {
    this.node(id).raw.campaign();
    this.settle();
  }

  propose(id: number, data = 'x'): { index: LogIndex; term: Term } {
    const at = this.node(id).raw.propose(new TextEncoder().encode(data));
    this.settle();
    return at;
  }

  tick(id: number, times = 1): void {
    for (let i = 0; i < times; i++) {
      this.node(id).raw.tick();
      this.settle();
    }
  }

  tickAll(times = 1): void {
    for (let i = 0; i < times; i++) {
      for (const n of this.nodes.values()) n.raw.tick();
      this.settle();
    }
  }

  /** Runs Ready loops and delivers messages until nothing moves. */
  settle(rounds = 1000): void {
    for (let i = 0; i < rounds; i++) {
      let moved = false;
      for (const [id, n] of this.nodes) if (n.raw.hasReady()) moved = this.processReady(id, n) || true;
      const batch = this.queue;
      this.queue = [];
      for (const m of batch) {
        moved = true;
        if (this.cut.has(`${m.from}>${m.to}`) || this.drop(m)) continue;
        const target = this.nodes.get(m.to);
        if (target === undefined) continue;
        this.delivered.push(m);
        target.raw.step(m);
      }
      if (!moved) return;
    }
    throw new Error('network did not settle');
  }

  /** One Ready of one node, handled as a real node would. */
  processReady(_id: NodeId, n: TestNode): boolean {
    const rd = n.raw.ready();
    if (rd.snapshot) n.storage.applySnapshot(rd.snapshot);
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      n.applied.push(e);
      if (e.type === 'conf-change') n.raw.applyConfChange(decodeConfChange(e.data));
    }
    n.raw.advance();
    return true;
  }

  /** Terms of a node's durable log, index 1 first. */
  logTerms(id: number): number[] {
    const s = this.node(id).storage;
    const out: number[] = [];
    for (let i = s.firstIndex(); i <= s.lastIndex(); i++) out.push(s.term(i));
    return out;
  }
}
