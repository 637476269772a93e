import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export interface LoggerConfig {
  level?: string;
  /** Human-readable output; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  name?: string;
  /** Extra fields on every line (node id, cluster id…). */
  base?: Record<string, unknown>;
  /** Fields of the moment, asked for each line (the request being served). */
  context?: () => Record<string, unknown>;
}

/**
 * JSON lines by default (machines read logs), pretty on a terminal. bigint and byte fields are made
 * JSON-safe here, because pino would print a bigint as a bare (rounded) number and bytes as an object.
 */
export function createLogger(config: LoggerConfig = {}): Logger {
  const options: LoggerOptions = {
    level: config.level ?? process.env['RAFTLOG_LOG_LEVEL'] ?? 'info',
    base: { pid: process.pid, ...config.base },
    formatters: { log: (fields) => jsonSafe(fields) as Record<string, unknown> },
  };
  if (config.name !== undefined) options.name = config.name;
  if (config.context !== undefined) options.mixin = config.context;
  const pretty = config.pretty ?? process.stdout.isTTY;
  if (pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

/** A logger that discards everything (tests, library use without a host logger). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export function jsonSafe(value: unknown, depth = 0): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (value instanceof Error || depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => jsonSafe(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = jsonSafe(v, depth + 1);
  return out;
}
