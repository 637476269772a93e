import { RaftlogError } from '../lib/index.js';
import { KvWriteBatch, type KvStore } from './kv/index.js';

/**
 * Everything one ready cycle persists, for all Raft groups and partitions of a node: one atomic
 * engine write and (with sync) one fsync. Stores stage their changes here; their in-memory views are
 * updated only after the write succeeds, and a check before the write rejects a batch built on a
 * state that another batch has changed since.
 */
export class StorageBatch {
  readonly kv = new KvWriteBatch();
  private readonly checks: (() => void)[] = [];
  private readonly effects: (() => void)[] = [];
  private readonly firsts: (() => Promise<void>)[] = [];
  private readonly settled: (() => void)[] = [];
  private state: 'open' | 'committing' | 'committed' | 'failed' = 'open';

  /** Runs right before the write; throwing aborts the commit. */
  beforeWrite(check: () => void): void {
    this.assertOpen();
    this.checks.push(check);
  }

  /** Runs once the write has succeeded. */
  afterWrite(effect: () => void): void {
    this.assertOpen();
    this.effects.push(effect);
  }

  /**
   * Runs after the checks and before the engine write, together with the other such tasks: data the
   * write will point to (entry files) is made durable first. A failure fails the commit.
   */
  writeFirst(task: () => Promise<void>): void {
    this.assertOpen();
    this.firsts.push(task);
  }

  /** Runs once the commit has ended, whether it succeeded or failed. */
  whenSettled(effect: () => void): void {
    this.assertOpen();
    this.settled.push(effect);
  }

  get isEmpty(): boolean {
    return this.kv.length === 0 && this.firsts.length === 0;
  }

  get status(): 'open' | 'committing' | 'committed' | 'failed' {
    return this.state;
  }

  assertOpen(): void {
    if (this.state !== 'open') throw new RaftlogError('INTERNAL', `storage batch is ${this.state}`);
  }

  /** Writes the batch; `sync` (the default) makes it durable before resolving. A batch commits once. */
  async commit(kv: KvStore, options: { readonly sync: boolean } = { sync: true }): Promise<void> {
    this.assertOpen();
    this.state = 'committing';
    try {
      for (const check of this.checks) check();
      if (this.firsts.length > 0) await Promise.all(this.firsts.map((task) => task()));
      await kv.write(this.kv, options);
    } catch (error) {
      this.state = 'failed';
      throw error;
    } finally {
      for (const effect of this.settled) effect();
    }
    this.state = 'committed';
    for (const effect of this.effects) effect();
  }
}
