import { Registry } from 'prom-client';
import type { ClusterNode } from '../../cluster/node/index.js';
import { Admin, RaftlogClient } from '../client/index.js';
import {
  consoleDataPath,
  consolePage,
  listenHttp,
  NodeMetrics,
  PromDataPathMeter,
  type DataPathMeter,
  type HttpEndpoint,
  type HttpReply,
  type HttpRoutes,
  type Logger,
  metricsLimitsDefault,
  type NativeHeap,
} from '../obs/index.js';
import type { EngineMemory } from '../../storage/index.js';
import { ConsoleData } from './console-data.js';
import type { NodeConfig } from './node-config.js';
import { groupLags, type ServiceDeps } from './services/index.js';

/** Consumer groups the console describes per refresh. */
const consoleGroupsMax = 50;
/** Open pages share one snapshot this young. */
const consoleSnapshotAgeMsMax = 500;
const consoleAdminTimeoutMs = 3_000;

/** Where the memory gauges read from: RocksDB's estimates, and the C allocator where it can be asked. */
export interface MemorySources {
  readonly engineMemory: () => EngineMemory;
  readonly nativeHeap: (() => NativeHeap) | undefined;
  /** What the node-wide response budget holds (rpc/node-response-budget.ts). */
  readonly responseBytesHeld: () => { readonly client: number; readonly peer: number };
  /** Connections the listeners closed as stalled (rpc/response-budget.ts, StallPolicy). */
  readonly stalledConnectionsClosed: () => { readonly client: number; readonly peer: number };
}

/** The node's HTTP side: Prometheus metrics and the web console, each on its own listener if set. */
export interface Observability {
  /** Counts produce and fetch; undefined when neither endpoint is on. */
  readonly meter: DataPathMeter | undefined;
  /** http://HOST:PORT/metrics, or undefined when metrics are off. */
  readonly metricsUrl: string | undefined;
  /** Hands over the client services' shared state, which group lag needs. */
  useServices(deps: ServiceDeps): void;
  stop(): Promise<void>;
}

export async function startObservability(
  config: NodeConfig,
  node: ClusterNode,
  logger: Logger,
  memory: MemorySources,
): Promise<Observability> {
  let services: ServiceDeps | undefined;
  const metrics =
    config.metricsListen === undefined
      ? undefined
      : new NodeMetrics(
          {
            partitionGauges: (max) => node.partitionGauges(max),
            raftEvents: () => node.raftEvents,
            voteGate: () => node.voteGateState,
            groupLags: (max) => (services === undefined ? Promise.resolve([]) : groupLags(services, max)),
            engineMemory: memory.engineMemory,
            ...(memory.nativeHeap === undefined ? {} : { nativeHeap: memory.nativeHeap }),
            responseBytesHeld: memory.responseBytesHeld,
            stalledConnectionsClosed: memory.stalledConnectionsClosed,
          },
          config.id,
          metricsLimitsDefault,
        );
  const meter =
    metrics?.dataPath ??
    (config.consoleListen === undefined ? undefined : new PromDataPathMeter(new Registry()));
  const endpoints: HttpEndpoint[] = [];
  const client = new RaftlogClient({ bootstrap: config.advertise });
  try {
    let metricsUrl: string | undefined;
    if (metrics !== undefined && config.metricsListen !== undefined) {
      const routes = new Map([['/metrics', metricsRoute(metrics)]]);
      const endpoint = await listenHttp(config.metricsListen, routes, logger);
      endpoints.push(endpoint);
      metricsUrl = `http://${urlHost(config.metricsListen, config.advertise)}:${endpoint.port}/metrics`;
    }
    if (config.consoleListen !== undefined && meter !== undefined) {
      const data = new ConsoleData({
        nodeId: config.id,
        admin: new Admin(client, { timeoutMs: consoleAdminTimeoutMs }),
        totals: () => meter.totals(),
        nowMs: () => Date.now(),
        groupsMax: consoleGroupsMax,
        snapshotAgeMsMax: consoleSnapshotAgeMsMax,
      });
      endpoints.push(await listenHttp(config.consoleListen, consoleRoutes(data), logger));
    }
    logger.info(
      { metricsListen: config.metricsListen, consoleListen: config.consoleListen },
      'http endpoints',
    );
    return {
      meter,
      metricsUrl,
      useServices: (deps) => (services = deps),
      stop: async () => {
        await Promise.all(endpoints.map((e) => e.close()));
        client.close();
      },
    };
  } catch (error) {
    await Promise.all(endpoints.map((e) => e.close()));
    client.close();
    throw error;
  }
}

function metricsRoute(metrics: NodeMetrics) {
  return async () => ({ status: 200, contentType: metrics.contentType, body: await metrics.render() });
}

function consoleRoutes(data: ConsoleData): HttpRoutes {
  const page = consolePage();
  const html = () => ({ status: 200, contentType: 'text/html; charset=utf-8', body: page });
  return new Map<string, () => HttpReply | Promise<HttpReply>>([
    ['/', html],
    ['/index.html', html],
    [
      consoleDataPath,
      async () => ({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify(await data.snapshot()),
      }),
    ],
  ]);
}

/** A wildcard listen address is no place to send a scraper: use the advertised host instead. */
export function urlHost(listen: string, advertise: string): string {
  const host = (address: string): string => address.slice(0, address.lastIndexOf(':'));
  const own = host(listen);
  return ['0.0.0.0', '[::]', '::', ''].includes(own) ? host(advertise) : own;
}
