import { readFileSync } from 'node:fs';
import { RaftlogError } from '../../lib/index.js';

/**
 * Every setting of a node, validated in one place at start. Sources in order of precedence:
 * command-line flags, RAFTLOG_* environment variables, a JSON config file, defaults.
 */
export interface NodeConfig {
  readonly id: number;
  readonly listen: string;
  /** The address clients are told to use; defaults to `listen`. */
  readonly advertise: string;
  /** Every voter of the initial cluster, this node included: id → the address this node dials. */
  readonly peers: ReadonlyMap<number, string>;
  readonly dataDir: string;
  readonly tickMs: number;
  readonly electionTimeoutTicks: number;
  readonly heartbeatIntervalTicks: number;
  readonly messageBytesMax: number;
  readonly logLevel: string;
  /** A group snapshots its state once this many entries are applied past its first log index. */
  readonly snapshotEntriesMin: number;
  /** Entries kept below a snapshot for followers slightly behind. */
  readonly compactionTrailEntries: number;
  /** Idempotence state of a producer silent this long is forgotten (per partition, by leader time). */
  readonly producerIdleMsMax: number;
  /** Memory for idempotence state per partition; the idlest producers are forgotten beyond it. */
  readonly producerStateBytesMax: number;
}

type Setting = string | number | undefined;
export type RawSettings = Partial<Record<keyof NodeConfig | 'config', Setting>>;

const defaults = {
  tickMs: 50,
  electionTimeoutTicks: 10,
  heartbeatIntervalTicks: 2,
  messageBytesMax: 16 * 1024 * 1024,
  logLevel: 'info',
  snapshotEntriesMin: 10_000,
  compactionTrailEntries: 1_000,
  producerIdleMsMax: 24 * 60 * 60 * 1000,
  producerStateBytesMax: 32 * 1024 * 1024,
} as const;

const settingNames = [
  'id',
  'listen',
  'advertise',
  'peers',
  'dataDir',
  'tickMs',
  'electionTimeoutTicks',
  'heartbeatIntervalTicks',
  'messageBytesMax',
  'logLevel',
  'snapshotEntriesMin',
  'compactionTrailEntries',
  'producerIdleMsMax',
  'producerStateBytesMax',
] as const satisfies readonly (keyof NodeConfig)[];

/** RAFTLOG_DATA_DIR for dataDir, RAFTLOG_TICK_MS for tickMs, and so on. */
export function envName(setting: string): string {
  return `RAFTLOG_${setting.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function settingsFromEnv(env: NodeJS.ProcessEnv): RawSettings {
  const out: RawSettings = {};
  for (const name of [...settingNames, 'config' as const]) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

export function settingsFromFile(path: string): RawSettings {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RaftlogError('INVALID_ARGUMENT', `cannot read config file ${path}`, { cause });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new RaftlogError('INVALID_ARGUMENT', `config file ${path} must hold a JSON object`);
  }
  const out: RawSettings = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!(settingNames as readonly string[]).includes(key)) {
      throw new RaftlogError('INVALID_ARGUMENT', `config file ${path}: unknown setting "${key}"`);
    }
    if (key === 'peers' && typeof value === 'object' && value !== null) {
      out.peers = Object.entries(value as Record<string, unknown>)
        .map(([id, addr]) => `${id}=${String(addr)}`)
        .join(',');
    } else if (typeof value === 'string' || typeof value === 'number') {
      out[key as keyof NodeConfig] = value;
    } else {
      throw new RaftlogError('INVALID_ARGUMENT', `config file ${path}: "${key}" must be a string or number`);
    }
  }
  return out;
}

/** Merges the sources (flags win) and validates the result, reporting every problem at once. */
export function loadNodeConfig(flags: RawSettings, env: NodeJS.ProcessEnv = process.env): NodeConfig {
  const fromEnv = settingsFromEnv(env);
  const file = flags.config ?? fromEnv.config;
  const fromFile = file === undefined ? {} : settingsFromFile(String(file));
  const merged = { ...defaults, ...fromFile, ...fromEnv, ...stripUndefined(flags) };
  return validateNodeConfig(merged);
}

export function validateNodeConfig(raw: RawSettings): NodeConfig {
  const problems: string[] = [];
  const id = integer(raw.id, 'id', 1, 2 ** 31 - 1, problems);
  const listen = address(raw.listen, 'listen', problems);
  const advertise = raw.advertise === undefined ? listen : address(raw.advertise, 'advertise', problems);
  const peers = parsePeers(raw.peers, problems);
  if (peers.size > 0 && !peers.has(id)) problems.push(`peers must include this node's id ${id}`);
  const dataDir = typeof raw.dataDir === 'string' && raw.dataDir !== '' ? raw.dataDir : '';
  if (dataDir === '') problems.push('dataDir is required (--data DIR or RAFTLOG_DATA_DIR)');
  const tickMs = integer(raw.tickMs, 'tickMs', 1, 10_000, problems);
  const electionTimeoutTicks = integer(raw.electionTimeoutTicks, 'electionTimeoutTicks', 2, 10_000, problems);
  const heartbeatIntervalTicks = integer(
    raw.heartbeatIntervalTicks,
    'heartbeatIntervalTicks',
    1,
    10_000,
    problems,
  );
  if (heartbeatIntervalTicks >= electionTimeoutTicks) {
    problems.push('heartbeatIntervalTicks must be smaller than electionTimeoutTicks');
  }
  const messageBytesMax = integer(raw.messageBytesMax, 'messageBytesMax', 64 * 1024, 1024 ** 3, problems);
  const logLevel = String(raw.logLevel ?? defaults.logLevel);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`logLevel must be one of fatal|error|warn|info|debug|trace|silent, got "${logLevel}"`);
  }
  const snapshotEntriesMin = integer(raw.snapshotEntriesMin, 'snapshotEntriesMin', 2, 10_000_000, problems);
  const compactionTrailEntries = integer(
    raw.compactionTrailEntries,
    'compactionTrailEntries',
    0,
    10_000_000,
    problems,
  );
  if (compactionTrailEntries >= snapshotEntriesMin) {
    problems.push('compactionTrailEntries must be smaller than snapshotEntriesMin');
  }
  const producerIdleMsMax = integer(
    raw.producerIdleMsMax,
    'producerIdleMsMax',
    1_000,
    365 * 24 * 60 * 60 * 1000,
    problems,
  );
  const producerStateBytesMax = integer(
    raw.producerStateBytesMax,
    'producerStateBytesMax',
    1024 * 1024,
    1024 ** 3,
    problems,
  );
  if (problems.length > 0) {
    throw new RaftlogError('INVALID_ARGUMENT', `invalid node configuration:\n  - ${problems.join('\n  - ')}`);
  }
  return {
    id,
    listen,
    advertise,
    peers,
    dataDir,
    tickMs,
    electionTimeoutTicks,
    heartbeatIntervalTicks,
    messageBytesMax,
    logLevel,
    snapshotEntriesMin,
    compactionTrailEntries,
    producerIdleMsMax,
    producerStateBytesMax,
  };
}

/** "1=127.0.0.1:9091,2=127.0.0.1:9092" → Map{1 → "127.0.0.1:9091", …} */
export function parsePeers(value: Setting, problems: string[]): Map<number, string> {
  const peers = new Map<number, string>();
  if (value === undefined || value === '') return peers;
  for (const part of String(value).split(',')) {
    const match = /^\s*(\d+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!match) {
      problems.push(`peers: "${part}" is not ID=HOST:PORT`);
      continue;
    }
    const id = Number(match[1]);
    if (peers.has(id)) problems.push(`peers: node id ${id} appears twice`);
    peers.set(id, address(match[2], `peers[${id}]`, problems));
  }
  return peers;
}

export function address(value: Setting, what: string, problems: string[]): string {
  const text = typeof value === 'string' ? value.trim() : '';
  const match = /^(\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : -1;
  if (!match || port < 0 || port > 65535) {
    problems.push(`${what} must be HOST:PORT, got ${value === undefined ? 'nothing' : `"${String(value)}"`}`);
  }
  return text;
}

function integer(value: Setting, what: string, min: number, max: number, problems: string[]): number {
  const n = typeof value === 'number' ? value : Number(String(value ?? '').trim() || NaN);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    problems.push(
      `${what} must be an integer in [${min}, ${max}], got ${value === undefined ? 'nothing' : `"${String(value)}"`}`,
    );
    return min;
  }
  return n;
}

function stripUndefined(raw: RawSettings): RawSettings {
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
}
