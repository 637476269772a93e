import { setTimeout as sleep } from 'node:timers/promises';
import { Prng } from '../../lib/index.js';
import type { ChaosNode, NodeProcesses, NodeUnderTest } from '../cluster/index.js';
import { clientId } from '../cluster/index.js';
import { nemesisProcess, type FaultEvent, type FaultKind } from '../history/index.js';
import { corruptAndRestart } from './disk-fault.js';
import type { FaultInForce } from './fault-action.js';
import type { PlannedFault } from './fault-plan.js';
import type { NemesisContext } from './nemesis-context.js';
import { cutFor } from './partition-shapes.js';
import { waitInSync } from './wait-in-sync.js';
import { restartRolling, transferStorm, moveReplica } from './cluster-moves.js';

/** Applies a planned fault, holds it, heals it, and records both ends in the history. */
export class Nemesis {
  readonly counts = new Map<FaultKind, number>();
  private active: { readonly kind: FaultKind; readonly fault: FaultInForce } | undefined;

  constructor(private readonly ctx: NemesisContext) {}

  async run(fault: PlannedFault): Promise<void> {
    await sleep(fault.gapMs, undefined, { signal: this.ctx.signal });
    const prng = new Prng(fault.seed);
    const inForce = await this.apply(fault, prng);
    this.active = { kind: fault.kind, fault: inForce };
    this.counts.set(fault.kind, (this.counts.get(fault.kind) ?? 0) + 1);
    this.note(fault.kind, 'start', inForce.nodes, inForce.description);
    if (inForce.ongoing !== undefined) await inForce.ongoing();
    else await sleep(fault.holdMs, undefined, { signal: this.ctx.signal }).catch(() => undefined);
    await this.healActive();
  }

  /** Heals whatever is in force; safe to call at any time, also after an aborted run. */
  async healActive(): Promise<void> {
    const active = this.active;
    this.active = undefined;
    if (active === undefined) return;
    const after = await active.fault.heal();
    this.note(active.kind, 'end', active.fault.nodes, after ?? `healed: ${active.fault.description}`);
  }

  private apply(fault: PlannedFault, prng: Prng): Promise<FaultInForce> {
    const target = this.target(fault, prng);
    switch (fault.kind) {
      case 'partition':
        return this.partition(fault, prng);
      case 'client-leader-cut':
        return this.cutClientFrom(target);
      case 'kill':
        return this.kill(this.process(target));
      case 'pause':
        return Promise.resolve(this.pause(this.process(target)));
      case 'latency':
        return this.slowNetwork(prng);
      case 'clock-skew':
        return this.skewClock(this.process(target), fault.clockOffsetMs);
      case 'disk-bitflip':
      case 'disk-truncate':
        return corruptAndRestart(this.process(target), fault.kind, prng, () =>
          waitInSync(this.ctx, target.id),
        );
      case 'restart-rolling':
        return restartRolling(this.processes().nodes, (id) => waitInSync(this.ctx, id));
      case 'transfer-storm':
        return transferStorm(this.ctx, prng);
      case 'membership':
        return moveReplica(this.ctx, prng, target.id);
    }
  }

  /** The leader of a random key when the plan aims at leaders and one is known, else any running node. */
  private target(fault: PlannedFault, prng: Prng): NodeUnderTest {
    const key = `${this.ctx.topic}/${prng.intBetween(0, this.ctx.partitions - 1)}`;
    const leader = this.ctx.cluster.nodes.find((n) => n.id === this.ctx.leaders().get(key));
    const running = this.ctx.cluster.nodes.filter((n) => n.running);
    if (fault.atLeader && leader !== undefined) return leader;
    return prng.pick(running.length > 0 ? running : this.ctx.cluster.nodes);
  }

  /** Process faults need the node's process: only a cluster the harness started has them. */
  private processes(): NodeProcesses {
    const processes = this.ctx.cluster.processes;
    if (processes === undefined) throw new Error('process faults need nodes the harness started');
    return processes;
  }

  private process(node: NodeUnderTest): ChaosNode {
    return this.processes().node(node.id);
  }

  private async partition(fault: PlannedFault, prng: Prng): Promise<FaultInForce> {
    const ids = this.ctx.cluster.nodes.map((n) => n.id);
    const someLeader = [...this.ctx.leaders().values()].find((l) => l !== 0) ?? 0;
    const cut = cutFor(fault.shape, ids, prng, someLeader);
    for (const link of cut.links) await this.ctx.cluster.links.cutLink(link, cut.direction);
    return {
      nodes: cut.nodes,
      description: `${fault.shape}: ${cut.description}`,
      heal: async () => {
        await this.ctx.cluster.links.healAll();
        return undefined;
      },
    };
  }

  private async cutClientFrom(node: NodeUnderTest): Promise<FaultInForce> {
    await this.ctx.cluster.links.cutLink({ from: clientId, to: node.id });
    return {
      nodes: [node.id],
      description: `the client cannot reach node ${node.id}; the nodes still see each other`,
      heal: async () => {
        await this.ctx.cluster.links.healAll();
        return undefined;
      },
    };
  }

  private async kill(node: ChaosNode): Promise<FaultInForce> {
    await node.kill();
    return {
      nodes: [node.id],
      description: `SIGKILL node ${node.id}`,
      heal: async () => {
        await node.start();
        return `node ${node.id} restarted; ${await waitInSync(this.ctx, node.id)}`;
      },
    };
  }

  private pause(node: ChaosNode): FaultInForce {
    node.pause();
    return {
      nodes: [node.id],
      description: `SIGSTOP node ${node.id}`,
      heal: () => {
        node.resume();
        return Promise.resolve(`SIGCONT node ${node.id}`);
      },
    };
  }

  private async slowNetwork(prng: Prng): Promise<FaultInForce> {
    const latency = prng.intBetween(20, 150);
    const jitter = prng.intBetween(0, latency);
    await this.ctx.cluster.links.slowAll(latency, jitter);
    return {
      nodes: [],
      description: `every link between nodes delayed ${latency} ± ${jitter} ms`,
      heal: async () => {
        await this.ctx.cluster.links.unslowAll();
        return undefined;
      },
    };
  }

  private async skewClock(node: ChaosNode, offsetMs: number): Promise<FaultInForce> {
    node.clockOffsetMs = offsetMs;
    await node.kill();
    await node.start();
    const synced = await waitInSync(this.ctx, node.id);
    return {
      nodes: [node.id],
      description: `node ${node.id} restarted with its wall clock ${offsetMs > 0 ? '+' : ''}${offsetMs} ms off; ${synced}`,
      heal: async () => {
        node.clockOffsetMs = 0;
        await node.kill();
        await node.start();
        return `node ${node.id} restarted with a true clock; ${await waitInSync(this.ctx, node.id)}`;
      },
    };
  }

  private note(kind: FaultKind, phase: 'start' | 'end', nodes: readonly number[], description: string): void {
    this.ctx.recorder.record<FaultEvent>({
      process: nemesisProcess,
      type: 'info',
      f: 'fault',
      phase,
      kind,
      nodes,
      description,
    });
  }
}
