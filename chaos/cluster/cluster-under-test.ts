import type { Admin, RaftlogClient } from '../../src/client/index.js';
import type { ChaosNode } from './chaos-node.js';
import type { LinkProxies } from './link-proxies.js';

/** What the workload, the leader monitor and the verdict need to know of one node. */
export interface NodeUnderTest {
  readonly id: number;
  /** The node's own client listener, for the harness's probes. */
  readonly directAddress: string;
  /** False while the process is down or paused: asking it would only wait for the timeout. */
  readonly running: boolean;
  readonly isPaused: boolean;
  /** Exits nobody asked for: a crash, or a refusal to start. */
  readonly unexpectedExits: readonly string[];
}

/** The node processes of a cluster the harness started, for the faults that act on a process. */
export interface NodeProcesses {
  readonly nodes: readonly ChaosNode[];
  node(id: number): ChaosNode;
}

/**
 * The cluster a run checks: nodes the harness started itself (process faults possible), or an
 * external cluster reached over the network whose node-to-node links run through Toxiproxy.
 */
export interface ClusterUnderTest {
  readonly nodes: readonly NodeUnderTest[];
  readonly links: LinkProxies;
  /** The node processes, when the harness owns them; undefined for an external cluster. */
  readonly processes: NodeProcesses | undefined;
  /** Whether the workload reaches the nodes through client→node proxies that can be cut. */
  readonly clientLinks: boolean;
  workloadClient(): RaftlogClient;
  directAdmin(): { client: RaftlogClient; admin: Admin };
  stop(): Promise<void>;
}
