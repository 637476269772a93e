export { createLogger, silentLogger, jsonSafe, type Logger, type LoggerConfig } from './logger.js';
export {
  dataPathApis,
  PromDataPathMeter,
  type DataPathApi,
  type DataPathMeter,
  type DataPathTotals,
} from './data-path-meter.js';
export {
  metricsLimitsDefault,
  NodeMetrics,
  type GroupLag,
  type MetricsLimits,
  type MetricsSources,
  type NativeHeap,
} from './node-metrics.js';
export { consoleDataPath, consolePage } from './console-page.js';
export {
  httpEndpointLimitsDefault,
  listenHttp,
  text,
  type HttpEndpoint,
  type HttpEndpointLimits,
  type HttpReply,
  type HttpRoutes,
} from './http-endpoint.js';
